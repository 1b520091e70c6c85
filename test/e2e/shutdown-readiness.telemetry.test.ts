import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { queryDatabase } from '../support/database.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { newTraceparent, System } from '../support/system.ts';

const SERVER = 2;
const CLIENT = 3;

let receiver: OtlpReceiver;
let system: System;

before(async () => {
  receiver = await startOtlpReceiver();
  system = await System.start({
    otlpUrl: receiver.url,
    env: {
      // Long enough to see readiness at 503 while the gateway still serves.
      'api-gateway': { SHUTDOWN_READINESS_DELAY_MS: '1500' },
      // A slow card provider keeps an order in flight across the gateway's SIGTERM.
      'payment-service': { PROVIDER_LATENCY_MS: '2500' },
      'order-service': { DEPENDENCY_TIMEOUT_MS: '10000' },
    },
  });
});
after(async () => {
  await system?.stop();
  await receiver?.close();
});

test('when the gateway gets SIGTERM with an order in flight, then readiness answers 503 during the delay, the order completes, and its spans reach the collector', async () => {
  const gateway = system.url('api-gateway');
  const user = await postJson(`${gateway}/api/users`, {
    email: `sigterm-${randomUUID()}@example.com`,
    name: 'Sig',
    password: 'long enough password',
  });
  const parent = newTraceparent();
  const placing = postJson(
    `${gateway}/api/orders`,
    {
      userId: user.body.id,
      items: [{ sku: 'SKU-STK-003', quantity: 1 }],
      card: { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' },
    },
    { traceparent: parent.traceparent, 'idempotency-key': randomUUID() },
  );
  // The charge is recorded as `processing` while the provider answers.
  await eventually('the charge to be in flight', async () => {
    const rows = await queryDatabase<{ n: string }>(
      system.databaseUrl('payment-service'),
      `select count(*) as n from payments where status = 'processing'`,
    );
    return Number(rows[0]?.n) > 0;
  });

  const exitCode = system.stopService('api-gateway');
  const draining = await eventually('readiness to answer 503', async () => {
    const response = await fetch(`${gateway}/health/ready`);
    return response.status === 503 && ((await response.json()) as { status: string });
  });
  // Still listening during the delay: a request that got through is served, not refused.
  const during = await fetch(`${gateway}/api/products`);

  assert.deepEqual(draining, { status: 'draining' });
  assert.equal(during.status, 200);
  const order = await placing;
  assert.equal(order.status, 201);
  assert.equal(order.body.status, 'paid');
  assert.equal(await exitCode, 0);
  await assert.rejects(fetch(`${gateway}/health/live`));

  // The gateway flushed before it exited: its spans of the order are all at the receiver.
  const gatewaySpans = receiver.spans.filter(
    (s) => s.traceId === parent.traceId && s.service === 'api-gateway',
  );
  const server = gatewaySpans.find((s) => s.kind === SERVER);
  assert.equal(server?.attributes['http.response.status_code'], 201);
  assert.equal(server?.parentSpanId, parent.parentSpanId);
  assert.ok(
    gatewaySpans.some(
      (s) => s.kind === CLIENT && s.attributes['http.response.status_code'] === 201,
    ),
    'no client span of the call to order-service',
  );
});
