import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICES } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import { GATEWAY, jaegerTrace, newTraceparent, placeOrder } from '../stack/stack.ts';
import { containerState, dockerCompose } from './compose.ts';

/** Long enough for the services' exporters to meet the closed port again and again. */
const OUTAGE_MS = 10_000;

async function products(): Promise<number> {
  const response = await fetch(`${GATEWAY}/api/products`);
  await response.arrayBuffer();
  return response.status;
}

test('when the collector container is stopped under traffic and started again, then no request is lost and traces flow again', async () => {
  // Steady traffic on two connections for the whole outage.
  let running = true;
  const statuses: number[] = [];
  const clients = Array.from({ length: 2 }, async () => {
    while (running) statuses.push(await products().catch(() => 0));
  });
  try {
    await eventually('traffic flowing', () => statuses.length >= 20, 10_000);
    await dockerCompose('stop', 'otel-collector');
    assert.equal(containerState('otel-collector').status, 'exited');
    const duringOutage = statuses.length;
    const outageEnds = Date.now() + OUTAGE_MS;
    const order = await placeOrder(newTraceparent().traceparent);
    assert.equal(order.status, 201);
    await eventually(
      'traffic during the outage',
      () => Date.now() > outageEnds && statuses.length >= duringOutage + 100,
      OUTAGE_MS + 30_000,
    );
    await dockerCompose('start', 'otel-collector');
    const afterRestart = statuses.length;
    await eventually(
      'traffic after the restart',
      () => statuses.length >= afterRestart + 50,
      30_000,
    );
  } finally {
    running = false;
    await Promise.all(clients);
  }
  const failed = statuses.filter((s) => s !== 200);
  console.log(
    `${statuses.length} requests across the collector's stop, ${OUTAGE_MS / 1000} s down, and start; ${failed.length} not 200`,
  );
  assert.deepEqual(failed, []);

  // The services' span queues are bounded (2048): what the outage filled them with is
  // exported or dropped first, so an order's trace is complete once that has drained. Orders
  // go on until one arrives whole.
  const placed: string[] = [];
  await eventually(
    'an order placed after the restart whose trace reaches Jaeger with all four services',
    async () => {
      const parent = newTraceparent();
      assert.equal((await placeOrder(parent.traceparent)).status, 201);
      placed.push(parent.traceId);
      for (const traceId of placed) {
        const spans = await jaegerTrace(traceId);
        if (spans && SERVICES.every((s) => spans.some((span) => span.service === s.name)))
          return true;
      }
      await sleep(2_000);
      return false;
    },
    120_000,
  );
  console.log(`traces complete again from the ${placed.length}. order after the restart on`);
});
