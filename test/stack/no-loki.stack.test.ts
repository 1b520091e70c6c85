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
  restartStackProcess,
  stackProcessMiB,
  stopStackProcess,
} from './stack.ts';

const COLLECTOR_METRICS = `http://127.0.0.1:${pin(readPins(), 'OTELCOL_METRICS_PORT')}/metrics`;
const COLLECTOR_LOG = join(LOG_DIR, 'otel-collector.log');

/** The collector's own counter for one exporter's log records, 0 when it has none yet. */
async function logRecords(outcome: 'sent' | 'send_failed', exporter: string): Promise<number> {
  const text = await (await fetch(COLLECTOR_METRICS)).text();
  const pattern = new RegExp(
    `^otelcol_exporter_${outcome}_log_records(?:_total)?\\{[^}]*exporter="${exporter.replace('/', '\\/')}"[^}]*\\} (\\S+)`,
    'm',
  );
  return Number(pattern.exec(text)?.[1] ?? 0);
}

// Back to how the rest of test:stack runs it: delivering to the Loki stand-in.
after(async () => {
  await stopStackProcess('otel-collector').catch(() => undefined); // already stopped
  await restartStackProcess('otel-collector');
});

test('when the stack runs with no Loki (plain `npm run stack`), then the collector drops log records quietly, without retries, errors or growth', async () => {
  await stopStackProcess('otel-collector');
  const logOffset = statSync(COLLECTOR_LOG).size;
  // What `npm run stack` gives the collector when no Loki is configured (processes.ts).
  await restartStackProcess('otel-collector', {
    OTELCOL_LOGS_EXPORTER: 'nop',
    LOKI_OTLP_ENDPOINT: '',
  });
  const memoryBefore = stackProcessMiB('otel-collector');

  for (let i = 0; i < 10; i++)
    assert.equal((await placeOrder(newTraceparent().traceparent)).status, 201);
  for (let i = 0; i < 200; i++) assert.equal((await fetch(`${GATEWAY}/api/products`)).ok, true);

  // The services export logs every second or so; wait until the nop exporter has taken them.
  const sent = await eventually(
    'log records accepted by the nop exporter',
    async () => {
      const n = await logRecords('sent', 'nop');
      return n > 0 && n;
    },
    30_000,
  );
  const growth = stackProcessMiB('otel-collector') - memoryBefore;
  console.log(`nop exporter took ${sent} log records; collector RSS ${growth.toFixed(1)} MiB`);

  assert.equal(await logRecords('send_failed', 'nop'), 0);
  assert.equal(await logRecords('sent', 'otlp_http/loki'), 0);
  const written = readFileSync(COLLECTOR_LOG, 'utf8').slice(logOffset);
  const complaints = written
    .split('\n')
    .filter((line) => /\berror\b|retry|[Ee]xporting failed/.test(line));
  assert.deepEqual(complaints, []);
  assert.ok(growth < 50, `the collector grew by ${growth.toFixed(1)} MiB`);
});
