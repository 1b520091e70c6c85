import { randomUUID } from 'node:crypto';
import { createPool } from '@sightline/service';
import { PostgresOrderRepository } from '../../services/order-service/src/data/order-repository.ts';
import { startInProcess } from './in-process.ts';
import { freePort } from './ports.ts';

export interface OrderBook {
  /** order-service's address, for payment-service's `ORDER_SERVICE_URL`. */
  url: string;
  /** Stores a pending order of one T-shirt priced `totalCents`, and returns its id. */
  order(totalCents?: number, currency?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * order-service in this process, for payment-service's tests: the service payment-service asks
 * what an order costs before it charges it. Orders are stored through order-service's own
 * repository, as placing them would have left them (charging is what those tests are about).
 * It calls no other service: its user-service and payment-service addresses are ports nothing
 * listens on, and its reconciler does not run during a test.
 */
export async function startOrderBook(): Promise<OrderBook> {
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const orders = await startInProcess('order-service', {
    USER_SERVICE_URL: nowhere,
    PAYMENT_SERVICE_URL: nowhere,
    RECONCILE_INTERVAL_MS: '3600000',
  });
  const pool = createPool(orders.databaseUrl, { statementTimeoutMs: 1_000 });
  const repository = new PostgresOrderRepository(pool);
  return {
    url: orders.service.url,
    async order(totalCents = 4200, currency = 'USD') {
      const order = await repository.create({
        userId: randomUUID(),
        items: [{ sku: 'SKU-TEE-001', quantity: 1, unitPriceCents: totalCents }],
        totalCents,
        currency,
        idempotencyKey: randomUUID(),
        requestFingerprint: 'stored by a payment-service test',
      });
      if (!order) throw new Error('the order was not stored');
      return order.id;
    },
    async stop() {
      await pool.end();
      await orders.service.stop();
    },
  };
}
