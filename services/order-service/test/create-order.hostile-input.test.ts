import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { queryDatabase } from '../../../test/support/database.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { freePort } from '../../../test/support/ports.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

/** Input a fuzzer sends (Schemathesis, `npm run fuzz`): each must be a 4xx answer, never a 500. */
describe('POST /api/orders with hostile input', () => {
  let users: StartedService;
  let payments: StartedService;
  let orders: StartedService;

  before(async () => {
    users = await startInProcess('user-service');
    // payment-service asks order-service what an order costs: order-service's port comes first.
    const ordersPort = await freePort();
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '10',
      ORDER_SERVICE_URL: `http://127.0.0.1:${ordersPort}`,
    });
    orders = await startInProcess('order-service', {
      PORT: String(ordersPort),
      USER_SERVICE_URL: users.service.url,
      PAYMENT_SERVICE_URL: payments.service.url,
    });
  });
  after(async () => {
    await orders.service.stop();
    await payments.service.stop();
    await users.service.stop();
  });

  test('when a sku contains a NUL character, then 400 names that item and nothing is written', async () => {
    const user = await postJson(`${users.service.url}/api/users`, {
      email: `nul-${randomUUID()}@example.com`,
      name: 'Nul',
      password: 'long enough',
    });
    const userId = user.body.id as string;

    const response = await postJson(
      `${orders.service.url}/api/orders`,
      {
        userId,
        items: [
          { sku: 'SKU-TEE-001', quantity: 1 },
          { sku: 'SKU\u0000TEE', quantity: 1 },
        ],
        card: CARD,
      },
      { 'idempotency-key': randomUUID() },
    );

    assert.equal(response.status, 400);
    assert.deepEqual(
      (response.body.errors as { field: string }[]).map((e) => e.field),
      ['items[1].sku'],
    );
    const stored = await queryDatabase(orders.databaseUrl, 'select id from orders');
    assert.equal(stored.length, 0);
  });
});
