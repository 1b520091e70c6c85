/**
 * The production sampling profile on the real collector (docs/sampling.md). The collector and
 * the services are restarted with SIGHTLINE_SAMPLING=production, the stack's own traffic is
 * paused so every request in the window is one of this test's, and then:
 *
 * - ordinary orders: Jaeger holds exactly those whose trace id falls in the kept share (the
 *   tail sampler's hash, computed here as the services compute it), and that share is within
 *   3.5 standard deviations of the 10 % setting;
 * - failed orders (paymentGatewayTimeout) and slow ones (userServiceLatency above
 *   user-service's 0.5 s objective): every trace in Jaeger, whole, with all four services;
 * - span metrics count every request sent, kept or not;
 * - every exemplar the services recorded in the window leads to a trace in Jaeger;
 * - with head sampling on the gateway as well, a failed order head sampling dropped has no
 *   trace, its log lines say `trace_flags: 00` and no exemplar names it;
 * - a drill (payment-failure, as `npm run drill` runs it) pages and leads to the code.
 *
 * Afterwards the stack goes back to keeping every trace. About 100 s (two restarts of five
 * processes, ~350 orders, the 10 s decision wait and a span-metrics flush of 15 s), then the
 * drill, about 3.5 minutes with its alert's resolution.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRILLS } from '../../infra/drills/drills.ts';
import { awaitResolved } from '../../infra/drills/run.ts';
import { adminBaseUrl, adminToken } from '../../infra/faults/admin-access.ts';
import { LOG_DIR } from '../../infra/stack/processes.ts';
import { inKeptShare } from '@sightline/telemetry';
import { eventually } from '../support/eventually.ts';
import { ORDER_PATH } from '../support/system.ts';
import {
  GATEWAY,
  PROMETHEUS,
  SECRETS,
  getJson,
  jaegerTrace,
  newTraceparent,
  pauseTraffic,
  postOrder,
  promQuery,
  reloadStackProcess,
  runDrill,
  useSamplingProfile,
} from './stack.ts';

const PERCENTAGE = 10;
const ORDINARY = 300;
const FAILED = 15;
const SLOW = 15;
/** Ordinary orders are sent this many at a time. */
const CONCURRENCY = 6;

let resumeTraffic: () => void = () => {};
let started = 0;
let userId = '';
let requestsSent = 0;
const ordinary: string[] = [];
const failed: string[] = [];
const slow: string[] = [];

async function order(
  sku: string,
  expected: number,
  headers: Record<string, string> = {},
): Promise<string> {
  const { traceparent, traceId } = newTraceparent();
  const response = await postOrder(userId, sku, { traceparent, ...headers });
  requestsSent++;
  assert.equal(response.status, expected, await response.text());
  return traceId;
}

async function withFault<T>(
  service: 'payment-service' | 'user-service',
  fault: string,
  options: object,
  body: () => Promise<T>,
): Promise<T> {
  const url = `${adminBaseUrl(service)}/admin/faults/${fault}`;
  const authorization = `Bearer ${adminToken().value}`;
  const on = await fetch(url, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ ...options, for: '2m' }),
  });
  assert.equal(on.status, 200, await on.text());
  try {
    return await body();
  } finally {
    await fetch(url, { method: 'DELETE', headers: { authorization } });
  }
}

/** Runs `count` calls of `task`, `concurrency` at a time. */
async function inParallel(count: number, concurrency: number, task: () => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await task();
    }),
  );
}

const hasAllFour = (spans: { service: string }[] | undefined) =>
  spans !== undefined && ORDER_PATH.every((name) => spans.some((span) => span.service === name));

/** A span-metrics sum over the series this run's collector and services created. */
async function spanMetricCalls(selector: string): Promise<number> {
  const series = `traces_span_metrics_calls_total{${selector}}`;
  const fresh = `${series} and timestamp(${series}) > ${started / 1000}`;
  const [result] = await promQuery(`sum(${fresh})`);
  return Number(result?.value[1] ?? 0);
}

before(async () => {
  resumeTraffic = await pauseTraffic();
  started = Date.now();
  await useSamplingProfile('production', { SIGHTLINE_SAMPLING_PERCENTAGE: String(PERCENTAGE) });
  const registration = await fetch(`${GATEWAY}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `sampling-${crypto.randomUUID()}@example.com`,
      name: 'Sam',
      password: SECRETS.password,
    }),
  });
  requestsSent++;
  assert.equal(registration.status, 201);
  userId = ((await registration.json()) as { id: string }).id;

  await inParallel(ORDINARY, CONCURRENCY, async () => {
    ordinary.push(await order('SKU-TEE-001', 201));
  });
  // Another product than the ordinary orders', so the fault fails only these.
  await withFault(
    'payment-service',
    'paymentGatewayTimeout',
    { sku: 'SKU-MUG-002', delayMs: 50 },
    async () => {
      for (let i = 0; i < FAILED; i++) failed.push(await order('SKU-MUG-002', 503));
    },
  );
  // user-service's objective is 0.5 s (prometheus/rules/services.yml).
  await withFault('user-service', 'userServiceLatency', { delayMs: 600, jitterMs: 0 }, async () => {
    for (let i = 0; i < SLOW; i++) slow.push(await order('SKU-TEE-001', 201));
  });
});

after(async () => {
  try {
    delete process.env.OTEL_TRACES_SAMPLER;
    delete process.env.OTEL_TRACES_SAMPLER_ARG;
    await useSamplingProfile('all');
  } finally {
    resumeTraffic();
  }
});

test('when orders fail or are slower than the objective, then every one of their traces reaches Jaeger whole', async () => {
  for (const traceId of [...failed, ...slow]) {
    await eventually(
      `trace ${traceId} in Jaeger with all four services`,
      async () => hasAllFour(await jaegerTrace(traceId)),
      30_000,
    );
  }
});

test('when ordinary orders are sampled, then Jaeger holds exactly those the trace-id hash keeps, within 3.5 σ of 10 %', async () => {
  const expected = ordinary.filter((traceId) => inKeptShare(traceId, PERCENTAGE));
  for (const traceId of expected) {
    await eventually(
      `kept trace ${traceId} in Jaeger, whole`,
      async () => hasAllFour(await jaegerTrace(traceId)),
      30_000,
    );
  }
  // Every ordinary trace was decided before the failed and slow ones, now all in Jaeger.
  const kept: string[] = [];
  for (const traceId of ordinary) if (await jaegerTrace(traceId)) kept.push(traceId);
  assert.deepEqual(kept.sort(), expected.sort());

  const share = kept.length / ORDINARY;
  const sigma = Math.sqrt((0.1 * 0.9) / ORDINARY);
  console.log(
    `kept ${kept.length} of ${ORDINARY} ordinary traces (${(share * 100).toFixed(1)} %, setting ${PERCENTAGE} %, tolerance ±${(3.5 * sigma * 100).toFixed(1)} points)`,
  );
  assert.ok(Math.abs(share - 0.1) <= 3.5 * sigma, `kept share ${share}`);
});

test('when traces are sampled, then the span metrics still count every request sent', async () => {
  const selector = 'service_name="api-gateway", span_kind="SPAN_KIND_SERVER"';
  const counted = await eventually(
    `span metrics to count all ${requestsSent} requests`,
    async () => {
      const calls = await spanMetricCalls(selector);
      return calls >= requestsSent && calls;
    },
    45_000,
  );
  assert.equal(counted, requestsSent);
  assert.equal(await spanMetricCalls(`${selector}, status_code="STATUS_CODE_ERROR"`), FAILED);
});

test('when the services record exemplars under sampling, then every exemplar of the window leads to a trace in Jaeger', async () => {
  const mine = new Set([...ordinary, ...failed, ...slow]);
  const params = new URLSearchParams({
    query: 'http_server_request_duration_seconds_bucket{job="services"}',
    start: String(started / 1000),
    end: String(Date.now() / 1000 + 60),
  });
  const traceIds = await eventually(
    'exemplars of a failed and a slow order in Prometheus',
    async () => {
      const { data } = await getJson<{
        data: { exemplars: { labels: Record<string, string> }[] }[];
      }>(`${PROMETHEUS}/api/v1/query_exemplars?${params.toString()}`);
      const ids = new Set(
        data.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id ?? '')),
      );
      return failed.some((id) => ids.has(id)) && slow.some((id) => ids.has(id)) && [...ids];
    },
    45_000,
  );
  // Besides this test's orders, the window holds its fault switches (admin requests, traces of
  // their own) and whatever the paused traffic had in flight.
  const missing: string[] = [];
  for (const traceId of traceIds) if (!(await jaegerTrace(traceId))) missing.push(traceId);
  const ofOrders = traceIds.filter((id) => mine.has(id)).length;
  console.log(
    `${traceIds.length} exemplars in the window (${ofOrders} of this test's orders), ${missing.length} without a trace in Jaeger`,
  );
  assert.deepEqual(missing, []);
  // And none for an ordinary request the sampler dropped.
  assert.ok(traceIds.every((id) => !ordinary.includes(id) || inKeptShare(id, PERCENTAGE)));
});

test('when the gateway also head-samples (parentbased_traceidratio 0.5), then failed orders it did not sample have no trace, their log lines say 00 and carry no exemplar', async () => {
  process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
  process.env.OTEL_TRACES_SAMPLER_ARG = '0.5';
  await reloadStackProcess('api-gateway');
  // No traceparent: the gateway is the root, and its sampler decides.
  const answers = await withFault(
    'payment-service',
    'paymentGatewayTimeout',
    { sku: 'SKU-MUG-002', delayMs: 50 },
    async () => {
      const flags: { traceId: string; sampled: boolean }[] = [];
      for (let i = 0; i < 20; i++) {
        const response = await postOrder(userId, 'SKU-MUG-002');
        assert.equal(response.status, 503);
        const [, traceId, , flag] = (response.headers.get('traceresponse') ?? '').split('-');
        flags.push({ traceId: traceId ?? '', sampled: flag === '01' });
      }
      return flags;
    },
  );
  const sampled = answers.filter((a) => a.sampled);
  const dropped = answers.filter((a) => !a.sampled);
  console.log(`head sampling kept ${sampled.length} of ${answers.length} failed orders' traces`);
  assert.ok(sampled.length > 0 && dropped.length > 0);
  // Errors the head sampler kept: whole in Jaeger, as before.
  for (const { traceId } of sampled) {
    await eventually(
      `failed order's trace ${traceId} in Jaeger`,
      async () => hasAllFour(await jaegerTrace(traceId)),
      30_000,
    );
  }
  // Those it dropped: no trace at all (every sampled one is in, so these were decided too),
  // but the gateway's log lines name the trace, with flags 00.
  const gatewayLog = readFileSync(join(LOG_DIR, 'api-gateway.log'), 'utf8').split('\n');
  for (const { traceId } of dropped) {
    assert.equal(await jaegerTrace(traceId), undefined, traceId);
    const lines = gatewayLog.filter((line) => line.includes(`"trace_id":"${traceId}"`));
    assert.ok(lines.length > 0, `log lines of ${traceId}`);
    for (const line of lines) assert.match(line, /"trace_flags":"00"/);
  }
  for (const { traceId } of sampled) {
    const lines = gatewayLog.filter((line) => line.includes(`"trace_id":"${traceId}"`));
    for (const line of lines) assert.match(line, /"trace_flags":"01"/);
  }
  const params = new URLSearchParams({
    query: 'http_server_request_duration_seconds_bucket{service_name="api-gateway"}',
    start: String(started / 1000),
    end: String(Date.now() / 1000 + 60),
  });
  const { data } = await getJson<{ data: { exemplars: { labels: Record<string, string> }[] }[] }>(
    `${PROMETHEUS}/api/v1/query_exemplars?${params.toString()}`,
  );
  const exemplarIds = new Set(
    data.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id)),
  );
  for (const { traceId } of dropped) assert.ok(!exemplarIds.has(traceId), traceId);
});

test('when a drill runs under the production profile, then it pages and its thread leads through a kept trace to the code', async () => {
  // The gateway back to parent-based always-on, and the stack's customers back, as a drill
  // finds a stack running the production profile.
  delete process.env.OTEL_TRACES_SAMPLER;
  delete process.env.OTEL_TRACES_SAMPLER_ARG;
  await reloadStackProcess('api-gateway');
  resumeTraffic();
  resumeTraffic = () => {};

  const one = DRILLS.find((d) => d.name === 'payment-failure')!;
  const result = await runDrill(one.name, {
    ...process.env,
    LOKI_URL: process.env.LOKI_STAND_IN_URL,
  });
  assert.match(result.series, new RegExp(`^ALERTS\\{alertname="${one.alert.name}"`));
  assert.ok(result.exemplar && result.span, 'an exemplar, and the span its trace blames');
  assert.equal(result.span.service, one.service);
  assert.ok(result.span.error, 'the span is an ERROR span');
  assert.ok(result.logServices.includes(one.service), `the trace has ${one.service} logs`);
  assert.equal(result.code.file, one.code.file);
  // The drill cleared its fault; its alert resolves before the next test file starts.
  await awaitResolved([one]);
});
