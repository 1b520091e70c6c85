import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { SERVICES } from '../../infra/dev/services.ts';
import { linesOfTrace } from '../../infra/stack/logs.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { eventually } from '../support/eventually.ts';
import { ORDER_PATH } from '../support/system.ts';
import {
  deliveredLogs,
  getJson,
  JAEGER,
  jaegerTrace,
  newTraceparent,
  placeOrder,
  PROMETHEUS,
  promQuery,
  SECRETS,
} from './stack.ts';

/** The services of one order: its trace, logs and RED series. */
const NAMES = [...ORDER_PATH].sort();

describe('one order, as the real backends show it', () => {
  let traceId: string;
  let email: string;
  let registrationTraceId: string;
  let answeredAt: number;
  let orderedAt: number;

  before(async () => {
    orderedAt = Date.now();
    const parent = newTraceparent();
    traceId = parent.traceId;
    const order = await placeOrder(parent.traceparent);
    assert.equal(order.status, 201);
    email = order.email;
    registrationTraceId = order.registrationTraceId;
    answeredAt = Date.now();
  });

  test('then Jaeger returns the trace with spans of all four services and their pg spans, within 30 s', async () => {
    const spans = await eventually(
      'the trace in Jaeger with all four services',
      async () => {
        const trace = await jaegerTrace(traceId);
        return trace && NAMES.every((name) => trace.some((s) => s.service === name)) && trace;
      },
      30_000,
    );
    console.log(`trace queryable in Jaeger ${Date.now() - answeredAt} ms after the response`);
    for (const service of SERVICES.filter((s) => s.database && ORDER_PATH.includes(s.name))) {
      assert.ok(
        spans.some((s) => s.service === service.name && s.tags['db.system.name'] === 'postgresql'),
        `no pg span from ${service.name}`,
      );
    }
  });

  test("then the collector delivers log records of all four services to Loki's OTLP endpoint (a stand-in here), each with service.name, trace_id, span_id and severity", async () => {
    const records = await eventually(
      'log records of all four services at the Loki stand-in',
      async () => {
        const found = await deliveredLogs(traceId);
        const services = new Set(found.map((r) => r.resource['service.name']));
        return NAMES.every((name) => services.has(name)) && found;
      },
      30_000,
    );
    for (const record of records) {
      assert.equal(record.traceId, traceId);
      assert.match(record.spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(record.spanId, '0000000000000000');
      assert.ok(record.severityNumber > 0, `no severity: ${JSON.stringify(record)}`);
      assert.match(record.severityText, /^(trace|debug|info|warn|error|fatal)$/);
      // The collector's resource processor sets the environment where a sender has none.
      assert.ok(record.resource['deployment.environment.name']);
    }
  });

  test('then no delivered log record of the registration or the order carries the password, the card number or the unmasked email', async () => {
    const registration = await eventually(
      'log records of the registration at the Loki stand-in',
      async () => {
        const found = await deliveredLogs(registrationTraceId);
        return found.some((r) => r.resource['service.name'] === 'user-service') && found;
      },
      30_000,
    );
    const records = [...registration, ...(await deliveredLogs(traceId))];
    const delivered = JSON.stringify(records);
    assert.doesNotMatch(delivered, new RegExp(SECRETS.password));
    assert.doesNotMatch(delivered, new RegExp(SECRETS.card));
    assert.ok(!delivered.includes(email), 'the email reached the logs unmasked');
  });

  test('then `npm run stack:logs -- <trace id>` shows log lines of all four services from their log files', () => {
    const result = spawnSync(process.execPath, ['infra/stack/logs.ts', traceId], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    for (const name of NAMES) assert.match(result.stdout, new RegExp(` ${name} +\\w+ `));
    const lines = linesOfTrace(traceId);
    assert.ok(lines.every((l) => l.fields.trace_id === traceId));
    assert.deepEqual(
      [...lines].sort((a, b) => a.time.localeCompare(b.time)),
      lines,
    );
  });

  test('then every Prometheus scrape target is up', async () => {
    const targets = await eventually(
      'every target scraped and up',
      async () => {
        const { data } = await getJson<{
          data: { activeTargets: { labels: Record<string, string>; health: string }[] };
        }>(`${PROMETHEUS}/api/v1/targets`);
        return data.activeTargets.every((t) => t.health === 'up') && data.activeTargets;
      },
      60_000,
    );
    const services = targets
      .filter((t) => t.labels.job === 'services')
      .map((t) => t.labels.service_name);
    assert.deepEqual(services.sort(), SERVICES.map((s) => s.name).sort());
  });

  test('then the RED histogram exists for all four services, with an exemplar whose trace Jaeger knows', async () => {
    const series = await eventually(
      'the request histogram of every service',
      async () => {
        const result = await promQuery(
          'sum by (service_name) (http_server_request_duration_seconds_count)',
        );
        return NAMES.every((name) => result.some((r) => r.metric.service_name === name)) && result;
      },
      60_000,
    );
    assert.equal(series.length, NAMES.length);

    // The newest exemplar since this order: Jaeger keeps a bounded number of traces, and
    // older ones (a drill's thousands of orders, say) may be gone already.
    const exemplarTraceId = await eventually(
      'an exemplar with a trace id',
      async () => {
        const params = new URLSearchParams({
          query: 'http_server_request_duration_seconds_bucket',
          start: String(orderedAt / 1000 - 5),
          end: String(Date.now() / 1000),
        });
        const { data } = await getJson<{
          data: { exemplars: { labels: { trace_id?: string }; timestamp: number }[] }[];
        }>(`${PROMETHEUS}/api/v1/query_exemplars?${params.toString()}`);
        return data
          .flatMap((s) => s.exemplars)
          .filter((e) => e.labels.trace_id)
          .sort((a, b) => b.timestamp - a.timestamp)[0]?.labels.trace_id;
      },
      60_000,
    );
    const trace = await eventually(
      'the exemplar trace in Jaeger',
      () => jaegerTrace(exemplarTraceId),
      30_000,
    );
    assert.ok(trace.length > 0);
  });

  test("then span metrics reach Prometheus and Jaeger's Monitor API answers for each service", async () => {
    await eventually(
      'span metrics in Prometheus',
      async () => {
        const result = await promQuery('sum by (service_name) (traces_span_metrics_calls_total)');
        return NAMES.every((name) => result.some((r) => r.metric.service_name === name));
      },
      90_000,
    );
    // Monitor computes rates, which need two flushes of span metrics (15 s apart).
    for (const service of NAMES) {
      await eventually(
        `a call rate for ${service} from Jaeger's Monitor API`,
        async () => {
          const params = new URLSearchParams({
            service,
            endTs: String(Date.now()),
            lookback: String(15 * 60_000),
            step: '60000',
            ratePer: '60000',
          });
          const body = await getJson<{ metrics: unknown[] }>(
            `${JAEGER}/api/metrics/calls?${params.toString()}`,
          );
          return body.metrics.length > 0;
        },
        90_000,
      );
    }
  });
});
