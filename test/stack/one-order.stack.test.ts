import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { SERVICES } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import {
  getJson,
  JAEGER,
  jaegerTrace,
  lokiQuery,
  newTraceparent,
  placeOrder,
  PROMETHEUS,
  promQuery,
} from './stack.ts';

const NAMES = SERVICES.map((s) => s.name).sort();

describe('one order, as the real backends show it', () => {
  let traceId: string;
  let answeredAt: number;

  before(async () => {
    const parent = newTraceparent();
    traceId = parent.traceId;
    const order = await placeOrder(parent.traceparent);
    assert.equal(order.status, 201);
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
    for (const service of SERVICES.filter((s) => s.database)) {
      assert.ok(
        spans.some((s) => s.service === service.name && s.tags['db.system.name'] === 'postgresql'),
        `no pg span from ${service.name}`,
      );
    }
  });

  test('then Loki returns log lines of all four services carrying the trace id', async () => {
    const lines = await eventually(
      'log lines of all four services in Loki',
      async () => {
        const found = await lokiQuery(`{service_name=~".+"} | trace_id="${traceId}"`);
        const services = new Set(found.map((l) => l.labels.service_name));
        return NAMES.every((name) => services.has(name)) && found;
      },
      30_000,
    );
    assert.ok(lines.every((l) => l.labels.trace_id === traceId || l.line.includes(traceId)));
  });

  test('then {service_name="order-service"} selects that service\'s logs only', async () => {
    const lines = await lokiQuery('{service_name="order-service"}');
    assert.ok(lines.length > 0);
    assert.deepEqual([...new Set(lines.map((l) => l.labels.service_name))], ['order-service']);
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
      .map((t) => t.labels.service);
    assert.deepEqual(services.sort(), NAMES);
  });

  test('then the RED histogram exists for all four services, with an exemplar whose trace Jaeger knows', async () => {
    const series = await eventually(
      'the request histogram of every service',
      async () => {
        const result = await promQuery(
          'sum by (service) (http_server_request_duration_seconds_count)',
        );
        return NAMES.every((name) => result.some((r) => r.metric.service === name)) && result;
      },
      60_000,
    );
    assert.equal(series.length, NAMES.length);

    const exemplarTraceId = await eventually(
      'an exemplar with a trace id',
      async () => {
        const end = Date.now() / 1000;
        const params = new URLSearchParams({
          query: 'http_server_request_duration_seconds_bucket',
          start: String(end - 900),
          end: String(end),
        });
        const { data } = await getJson<{
          data: { exemplars: { labels: { trace_id?: string } }[] }[];
        }>(`${PROMETHEUS}/api/v1/query_exemplars?${params.toString()}`);
        return data.flatMap((s) => s.exemplars).find((e) => e.labels.trace_id)?.labels.trace_id;
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
