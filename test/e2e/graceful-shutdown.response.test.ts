import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { queryDatabase } from '../support/database.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { System } from '../support/system.ts';

let receiver: OtlpReceiver;
let system: System;

before(async () => {
  receiver = await startOtlpReceiver();
  // A slow card provider keeps the charge in flight long enough to stop the service under it.
  system = await System.start({
    otlpUrl: receiver.url,
    env: {
      'payment-service': { PROVIDER_LATENCY_MS: '3000' },
      'order-service': { DEPENDENCY_TIMEOUT_MS: '10000' },
    },
  });
});
after(async () => {
  await system?.stop();
  await receiver?.close();
});

test('when payment-service gets SIGTERM mid-charge, then the charge completes, the order is paid, and it exits 0', async () => {
  const gateway = system.url('api-gateway');
  const user = await postJson(`${gateway}/api/users`, {
    email: `drain-${randomUUID()}@example.com`,
    name: 'Dina',
    password: 'long enough password',
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const placing = postJson(
    `${gateway}/api/orders`,
    {
      userId: user.body.id,
      items: [{ sku: 'SKU-STK-003', quantity: 1 }],
      card: { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' },
    },
    { 'idempotency-key': randomUUID() },
  );

  // An order answered before its charge was seen in flight fails here, naming the answer.
  let answered: Awaited<typeof placing> | undefined;
  void placing.then((answer) => (answered = answer));

  // The charge is recorded as `processing` while the provider answers (1.5 to 4.5 s).
  const paymentsDb = system.databaseUrl('payment-service');
  const seen = await eventually(
    'the charge to be in flight, or the order answered',
    async () => {
      if (answered) return 'answered';
      const rows = await queryDatabase<{ n: string }>(
        paymentsDb,
        `select count(*) as n from payments where status = 'processing'`,
      );
      return Number(rows[0]?.n) > 0 && 'in flight';
    },
    20_000,
  );
  assert.equal(
    seen,
    'in flight',
    `the order was answered before its charge was in flight: ${answered?.status} ${JSON.stringify(answered?.body)}`,
  );
  const exitCode = system.stopService('payment-service');

  const order = await placing;
  assert.equal(order.status, 201);
  assert.equal(order.body.status, 'paid');
  assert.equal(await exitCode, 0);
  await assert.rejects(fetch(`${system.url('payment-service')}/health/live`));
});
