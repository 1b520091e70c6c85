import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createPool, type Pool } from '@sightline/service';
import { startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { PostgresOrderRepository } from '../src/data/order-repository.ts';
import type { Order } from '../src/domain/order.ts';

describe('settling an order, against its real database', () => {
  let orders: StartedService;
  let pool: Pool;
  let repository: PostgresOrderRepository;
  before(async () => {
    // Started for its migrated database; its routes are not used here.
    orders = await startInProcess('order-service');
    pool = createPool(orders.databaseUrl, { statementTimeoutMs: 1_000 });
    repository = new PostgresOrderRepository(pool);
  });
  after(async () => {
    await pool.end();
    await orders.service.stop();
  });

  async function pendingOrder(): Promise<Order> {
    const order = await repository.create({
      userId: randomUUID(),
      items: [{ sku: 'SKU-TEE-001', quantity: 1, unitPriceCents: 2500 }],
      totalCents: 2500,
      currency: 'USD',
      idempotencyKey: randomUUID(),
      requestFingerprint: 'test',
    });
    assert.ok(order);
    return order;
  }

  test('when a pending order is settled twice, then the first settlement stands', async () => {
    const order = await pendingOrder();
    const first = randomUUID();

    const paid = await repository.settle(order.id, { status: 'paid', paymentId: first });
    const again = await repository.settle(order.id, { status: 'paid', paymentId: randomUUID() });

    assert.deepEqual([paid.changed, again.changed], [true, false]);
    assert.equal(again.order.paymentId, first);
  });

  test('when a declined order is then settled as paid, then the successful payment wins', async () => {
    const order = await pendingOrder();
    const success = randomUUID();
    await repository.settle(order.id, { status: 'payment_declined', paymentId: randomUUID() });

    const { order: settled, changed } = await repository.settle(order.id, {
      status: 'paid',
      paymentId: success,
    });

    assert.equal(changed, true);
    assert.equal(settled.status, 'paid');
    assert.equal(settled.paymentId, success);
  });

  test('when a paid order is then settled as declined or cancelled, then it stays paid', async () => {
    const order = await pendingOrder();
    const success = randomUUID();
    await repository.settle(order.id, { status: 'paid', paymentId: success });

    const declined = await repository.settle(order.id, {
      status: 'payment_declined',
      paymentId: randomUUID(),
    });
    const cancelled = await repository.settle(order.id, { status: 'cancelled', paymentId: null });

    assert.deepEqual([declined.changed, cancelled.changed], [false, false]);
    assert.equal(cancelled.order.status, 'paid');
    assert.equal(cancelled.order.paymentId, success);
  });

  test('when a cancelled order turns out to have been paid, then it becomes paid', async () => {
    const order = await pendingOrder();
    await repository.settle(order.id, { status: 'cancelled', paymentId: null });

    const { order: settled } = await repository.settle(order.id, {
      status: 'paid',
      paymentId: randomUUID(),
    });

    assert.equal(settled.status, 'paid');
  });
});
