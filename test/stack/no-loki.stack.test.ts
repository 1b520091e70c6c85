import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pin, readPins } from '../../infra/stack/pins.ts';
import { LOG_DIR } from '../../infra/stack/processes.ts';
import { eventually } from '../support/eventually.ts';
import {
  GATEWAY,
  newTraceparent,
  placeOrder,
  reloadStackProcess,
  restartStackProcess,
  stackProcessMiB,
  stopStackProcess,
} from './stack.ts';

const COLLECTOR_METRICS = `http://127.0.0.1:${pin(readPins(), 'OTELCOL_METRICS_PORT')}/metrics`;
const COLLECTOR_LOG = join(LOG_DIR, 'otel-collector.log');

/** The sum of one of the collector's own counters, over all its series (0 when absent). */
async function collectorCounter(name: string): Promise<number> {
  const text = await (await fetch(COLLECTOR_METRICS)).text();
  return [...text.matchAll(new RegExp(`^${name}(?:_total)?(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
}

// Back to how the rest of test:stack runs it: delivering to the Loki stand-in.
after(() => reloadStackProcess('otel-collector'));

test('when the stack runs with no Loki (plain `npm run stack`), then the collector drops log records quietly, without retries, errors or growth', async () => {
  await stopStackProcess('otel-collector');
  const logOffset = statSync(COLLECTOR_LOG).size;
  // Started as `npm run stack` starts it when no Loki is configured: the same code
  // (processes.ts) works out its environment, here without the stand-in's address.
  const standIn = process.env.LOKI_OTLP_ENDPOINT;
  delete process.env.LOKI_OTLP_ENDPOINT;
  try {
    await restartStackProcess('otel-collector');
  } finally {
    process.env.LOKI_OTLP_ENDPOINT = standIn;
  }
  const memoryBefore = stackProcessMiB('otel-collector');

  for (let i = 0; i < 10; i++)
    assert.equal((await placeOrder(newTraceparent().traceparent)).status, 201);
  for (let i = 0; i < 200; i++) assert.equal((await fetch(`${GATEWAY}/api/products`)).ok, true);

  // The services export logs every second or so; wait until the pipeline has taken them.
  const accepted = await eventually(
    'log records through the logs pipeline',
    async () => {
      const n = await collectorCounter('otelcol_processor_memory_limiter_accepted_log_records');
      return n >= 100 && n;
    },
    30_000,
  );
  const growth = stackProcessMiB('otel-collector') - memoryBefore;
  console.log(`logs pipeline took ${accepted} records; collector RSS ${growth.toFixed(1)} MiB`);

  // No exporter tried to send them anywhere, so nothing failed, queued or retried.
  assert.equal(await collectorCounter('otelcol_exporter_sent_log_records'), 0);
  assert.equal(await collectorCounter('otelcol_exporter_send_failed_log_records'), 0);
  assert.equal(await collectorCounter('otelcol_receiver_refused_log_records'), 0);
  const written = readFileSync(COLLECTOR_LOG, 'utf8').slice(logOffset);
  const complaints = written
    .split('\n')
    .filter((line) => /\berror\b|retry|[Ee]xporting failed/.test(line));
  assert.deepEqual(complaints, []);
  assert.ok(growth < 50, `the collector grew by ${growth.toFixed(1)} MiB`);
});
