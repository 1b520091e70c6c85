import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { SERVICES } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import {
  deliveredLogs,
  getJson,
  jaegerTrace,
  newTraceparent,
  placeOrder,
  PROMETHEUS,
} from '../stack/stack.ts';

const NAMES = SERVICES.map((s) => s.name).sort();

describe('one order through `docker compose up`', () => {
  let traceId: string;
  let placedAt: number;

  before(async () => {
    placedAt = Date.now();
    const parent = newTraceparent();
    traceId = parent.traceId;
    const order = await placeOrder(parent.traceparent);
    assert.equal(order.status, 201, JSON.stringify(order.body));
  });

  test('then Jaeger returns its trace with spans of all four services and their pg spans', async () => {
    const spans = await eventually(
      'the trace in Jaeger with all four services',
      async () => {
        const trace = await jaegerTrace(traceId);
        return trace && NAMES.every((name) => trace.some((s) => s.service === name)) && trace;
      },
      60_000,
    );
    for (const service of SERVICES.filter((s) => s.database)) {
      assert.ok(
        spans.some((s) => s.service === service.name && s.tags['db.system.name'] === 'postgresql'),
        `no pg span from ${service.name}`,
      );
    }
  });

  test("then the collector delivers the services' log records to the Loki stand-in, each with service.name and trace_id", async () => {
    const records = await eventually(
      'log records of all four services at the Loki stand-in',
      async () => {
        const found = await deliveredLogs(traceId);
        const services = new Set(found.map((r) => r.resource['service.name']));
        return NAMES.every((name) => services.has(name)) && found;
      },
      60_000,
    );
    for (const record of records) {
      assert.equal(record.traceId, traceId);
      assert.ok(NAMES.includes(record.resource['service.name'] as (typeof NAMES)[number]));
      // Set by the services from DEPLOYMENT_ENVIRONMENT in docker-compose.yml.
      assert.equal(record.resource['deployment.environment.name'], 'compose');
    }
  });

  test('then every Prometheus scrape target is up, and the request histogram has exemplars with trace ids Jaeger knows', async () => {
    const targets = await eventually(
      'every target scraped and up',
      async () => {
        const { data } = await getJson<{
          data: { activeTargets: { labels: Record<string, string>; health: string }[] };
        }>(`${PROMETHEUS}/api/v1/targets`);
        return (
          data.activeTargets.length > 0 &&
          data.activeTargets.every((t) => t.health === 'up') &&
          data.activeTargets
        );
      },
      90_000,
    );
    const services = targets
      .filter((t) => t.labels.job === 'services')
      .map((t) => t.labels.service_name);
    assert.deepEqual(services.sort(), NAMES);

    // Exemplars since this order: an earlier request's trace may have been dropped on
    // purpose (a collector outage test fills the services' bounded span queues).
    const exemplarTraces = async () => {
      const params = new URLSearchParams({
        query: 'http_server_request_duration_seconds_bucket',
        start: String(placedAt / 1000),
        end: String(Date.now() / 1000),
      });
      const { data } = await getJson<{
        data: {
          seriesLabels: Record<string, string>;
          exemplars: { labels: { trace_id?: string } }[];
        }[];
      }>(`${PROMETHEUS}/api/v1/query_exemplars?${params.toString()}`);
      return data.flatMap((s) =>
        s.exemplars.flatMap((e) =>
          e.labels.trace_id
            ? [{ service: s.seriesLabels.service_name, traceId: e.labels.trace_id }]
            : [],
        ),
      );
    };
    const exemplars = await eventually(
      'exemplars with trace ids from every service',
      async () => {
        const found = await exemplarTraces();
        return NAMES.every((name) => found.some((e) => e.service === name)) && found;
      },
      90_000,
    );
    const trace = await eventually(
      'an exemplar whose trace Jaeger knows',
      async () => {
        for (const { traceId } of exemplars) {
          const spans = await jaegerTrace(traceId);
          if (spans && spans.length > 0) return spans;
        }
        return undefined;
      },
      30_000,
    );
    assert.ok(trace.length > 0);
  });
});
