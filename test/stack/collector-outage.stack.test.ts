import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERVICES } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import { ORDER_PATH } from '../support/system.ts';
import {
  GATEWAY,
  jaegerTrace,
  newTraceparent,
  pauseTraffic,
  placeOrder,
  stackProcessMiB,
  whileStopped,
} from './stack.ts';

const REQUESTS = 200;

async function products(): Promise<number> {
  return (await fetch(`${GATEWAY}/api/products`)).status;
}

test('when the collector stops, then the services answer as before with bounded memory, and traces flow again once it is back', async () => {
  // No customers meanwhile: a sign-up's password hash holds 128 MiB (scrypt) while it runs,
  // which would swamp the growth measured here.
  const resumeTraffic = await pauseTraffic();
  try {
    const before = await Promise.all(Array.from({ length: 20 }, products));
    const memoryBefore = Object.fromEntries(SERVICES.map((s) => [s.name, stackProcessMiB(s.name)]));

    await whileStopped('otel-collector', async () => {
      const during: number[] = [];
      for (let i = 0; i < REQUESTS; i++) during.push(await products());
      const order = await placeOrder(newTraceparent().traceparent);

      assert.deepEqual(new Set(during), new Set(before));
      assert.equal(order.status, 201);
      for (const service of SERVICES) {
        const growth = stackProcessMiB(service.name) - (memoryBefore[service.name] ?? 0);
        console.log(
          `${service.name}: resident memory ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MiB during the outage`,
        );
        // Exporter queues are bounded (2048 spans, 2048 log records): far below this.
        assert.ok(growth < 100, `${service.name} grew by ${growth.toFixed(1)} MiB`);
      }
    });

    const parent = newTraceparent();
    assert.equal((await placeOrder(parent.traceparent)).status, 201);
    const trace = await eventually(
      'the new trace in Jaeger, with all four services',
      async () => {
        const spans = await jaegerTrace(parent.traceId);
        return (
          spans && ORDER_PATH.every((name) => spans.some((span) => span.service === name)) && spans
        );
      },
      60_000,
    );
    assert.ok(trace.length > 0);
  } finally {
    resumeTraffic();
  }
});
