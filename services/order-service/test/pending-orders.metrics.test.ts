import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { queryDatabase } from '../../../test/support/database.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { freePort } from '../../../test/support/ports.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

let users: StartedService;
let orders: StartedService;

before(async () => {
  users = await startInProcess('user-service');
  // Nothing listens at payment-service's address, so every order is left pending; the
  // reconciler is left at its defaults and does not run during this test.
  orders = await startInProcess('order-service', {
    USER_SERVICE_URL: users.service.url,
    PAYMENT_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
  });
});
after(async () => {
  await orders.service.stop();
  await users.service.stop();
});

function sample(metrics: string, name: string): number {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  assert.ok(line, `no ${name} in /metrics`);
  assert.ok(!/order_id|[0-9a-f]{8}-[0-9a-f]{4}-/.test(line), `ids in ${line}`);
  return Number(line.split(' ').at(-1));
}

test('when orders are pending, then /metrics says how many and how old the oldest one is', async () => {
  const { body: user } = await postJson(`${users.service.url}/api/users`, {
    email: `pending-${randomUUID()}@example.com`,
    name: 'Penny',
    password: 'long enough',
  });
  const order = { userId: user.id, items: [{ sku: 'SKU-TEE-001', quantity: 1 }], card: CARD };
  for (const key of [randomUUID(), randomUUID()]) {
    const response = await postJson(`${orders.service.url}/api/orders`, order, {
      'idempotency-key': key,
    });
    assert.equal(response.status, 503);
  }
  // Age the oldest order by a known amount, rather than waiting for it to grow old.
  await queryDatabase(
    orders.databaseUrl,
    `update orders set created_at = now() - interval '90 seconds'
      where id = (select id from orders where status = 'pending' order by created_at limit 1)`,
  );

  const metrics = await (await fetch(`${orders.service.url}/metrics`)).text();

  assert.equal(sample(metrics, 'orders_pending'), 2);
  const age = sample(metrics, 'orders_pending_oldest_age_seconds');
  assert.ok(age >= 90 && age < 120, `oldest pending age ${age}`);
});
