/**
 * The collector's sampling profiles (otel-collector/sampling-*.yaml, docs/sampling.md) and the
 * places that choose one: compose, the native stack and the chart read the same variable or
 * value, and the production profile's "slow" is each service's latency objective, the one
 * HighLatency compares against. The collector itself checks and starts each profile in
 * `npm run stack:check` (test/stack/configs.stack.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { SERVICES } from '../../infra/dev/services.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { backendProcesses, serviceProcesses } from '../../infra/stack/processes.ts';
import {
  SAMPLING_PROFILES,
  collectorConfigFiles,
  latencyObjectives,
  samplingProfileName,
} from '../../infra/stack/sampling.ts';

const yaml = (path: string): unknown =>
  parse(readFileSync(join(ROOT, path), 'utf8'), { merge: true });

interface Policy {
  name: string;
  type: string;
  ottl_condition?: { span: string[] };
  probabilistic?: { sampling_percentage: string };
  and?: { and_sub_policy: Policy[] };
  trace_state?: { key: string; values: string[] };
}

const production = yaml('otel-collector/sampling-production.yaml') as {
  connectors: { span_metrics: { exemplars: { enabled: boolean } } };
  processors: { tail_sampling: { policies: Policy[] } };
  service: { pipelines: Record<string, { processors: string[] }> };
};
const policies = production.processors.tail_sampling.policies;

test('when the production profile decides what is slow, then it uses each service’s latency objective from the rules', () => {
  const objectives = latencyObjectives();
  assert.deepEqual(Object.keys(objectives).sort(), SERVICES.map((s) => s.name).sort());
  const slow = policies.find((p) => p.name === 'slower-than-objective');
  const thresholds: Record<string, number> = Object.fromEntries(
    (slow?.ottl_condition?.span ?? []).map((condition): [string, number] => {
      const match =
        /span\.kind == SPAN_KIND_SERVER and resource\.attributes\["service\.name"\] == "([^"]+)" and span\.end_time_unix_nano - span\.start_time_unix_nano > (\d+)$/.exec(
          condition,
        );
      assert.ok(match, condition);
      return [match[1]!, Number(match[2]) / 1e9];
    }),
  );
  assert.deepEqual(thresholds, objectives);
});

test('when the production profile is read, then it keeps errors, marked traces within a budget and 10 % of the rest, in the Jaeger pipeline only', () => {
  assert.deepEqual(
    policies.map((p) => p.type),
    ['status_code', 'ottl_condition', 'and', 'probabilistic'],
  );
  const marked = policies.find((p) => p.type === 'and')!.and!.and_sub_policy;
  assert.deepEqual(marked[0]?.trace_state, { key: 'sightline', values: ['keep'] });
  assert.equal(marked[1]?.type, 'rate_limiting');
  assert.equal(
    policies.find((p) => p.type === 'probabilistic')?.probabilistic?.sampling_percentage,
    '${env:SIGHTLINE_SAMPLING_PERCENTAGE:-10}',
  );
  // Exemplars come from the services' histograms, which name kept traces only.
  assert.equal(production.connectors.span_metrics.exemplars.enabled, false);
  assert.deepEqual(production.service.pipelines, {
    'traces/jaeger': { processors: ['tail_sampling'] },
  });
  const config = yaml('otel-collector/config.yaml') as {
    service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
  };
  // Span metrics are fed from the pipeline that sees every span, before any sampling.
  assert.deepEqual(config.service.pipelines.traces?.exporters, ['span_metrics', 'forward/jaeger']);
  assert.deepEqual(config.service.pipelines['traces/jaeger']?.receivers, ['forward/jaeger']);
  assert.deepEqual(config.service.pipelines['traces/jaeger']?.exporters, ['otlp_grpc/jaeger']);
});

test('when SIGHTLINE_SAMPLING is unset, then the native stack keeps every trace; when it names a profile, then the collector loads that overlay', () => {
  assert.equal(samplingProfileName({}), 'all');
  assert.equal(samplingProfileName({ SIGHTLINE_SAMPLING: 'production' }), 'production');
  assert.throws(() => samplingProfileName({ SIGHTLINE_SAMPLING: 'some' }), /all, production/);
  for (const profile of SAMPLING_PROFILES) {
    assert.equal(
      collectorConfigFiles(profile)[1],
      join(ROOT, `otel-collector/sampling-${profile}.yaml`),
    );
  }
  const previous = process.env.SIGHTLINE_SAMPLING;
  process.env.SIGHTLINE_SAMPLING = 'production';
  try {
    const collector = backendProcesses().find((p) => p.name === 'otel-collector');
    assert.deepEqual(
      collector?.args,
      collectorConfigFiles('production').flatMap((file) => ['--config', file]),
    );
    for (const service of serviceProcesses(() => 'postgres://x')) {
      assert.equal(service.env.SIGHTLINE_SAMPLING, 'production');
      assert.equal(
        Number(service.env.SIGHTLINE_LATENCY_OBJECTIVE_SECONDS),
        latencyObjectives()[service.name],
      );
    }
  } finally {
    if (previous === undefined) delete process.env.SIGHTLINE_SAMPLING;
    else process.env.SIGHTLINE_SAMPLING = previous;
  }
});

test('when compose starts, then SIGHTLINE_SAMPLING picks the collector’s overlay (every trace by default) and each service knows its objective', () => {
  const compose = yaml('docker-compose.yml') as {
    services: Record<
      string,
      { command?: string[]; volumes?: string[]; environment?: Record<string, unknown> }
    >;
  };
  const collector = compose.services['otel-collector']!;
  assert.deepEqual(collector.command, [
    '--config=/etc/otelcol-contrib/config.yaml',
    '--config=/etc/otelcol-contrib/sampling.yaml',
  ]);
  assert.ok(
    collector.volumes?.includes(
      './otel-collector/sampling-${SIGHTLINE_SAMPLING:-all}.yaml:/etc/otelcol-contrib/sampling.yaml:ro',
    ),
  );
  const objectives = latencyObjectives();
  for (const service of SERVICES) {
    const env = compose.services[service.name]?.environment ?? {};
    assert.equal(env.SIGHTLINE_SAMPLING, '${SIGHTLINE_SAMPLING:-all}', service.name);
    assert.equal(env.SIGHTLINE_LATENCY_OBJECTIVE_SECONDS, objectives[service.name], service.name);
  }
});

test('when the chart is configured, then the sampling profile and every retention are values', () => {
  const values = yaml('deploy/helm/sightline/values.yaml') as {
    collector: { sampling: { profile: string; percentage: number } };
    jaeger: { maxTraces: number };
    prometheus: { retention: { time: string; size: string } };
    loki: { retentionPeriod: string };
  };
  assert.deepEqual(values.collector.sampling.profile, 'all');
  assert.equal(values.collector.sampling.percentage, 10);
  // The chart's defaults are compose's; docs/sampling.md says what production sets.
  const prometheus = yaml('prometheus/prometheus.yml') as {
    storage: { tsdb: { retention: { time: string; size: string } } };
  };
  assert.deepEqual(values.prometheus.retention, prometheus.storage.tsdb.retention);
  assert.match(
    readFileSync(join(ROOT, 'loki/config.yaml'), 'utf8'),
    /retention_period: \$\{LOKI_RETENTION_PERIOD:-72h\}/,
  );
  assert.equal(values.loki.retentionPeriod, '72h');
  assert.match(
    readFileSync(join(ROOT, 'infra/jaeger/config.yaml'), 'utf8'),
    /max_traces: \$\{env:JAEGER_MAX_TRACES:-5000\}/,
  );
  assert.equal(values.jaeger.maxTraces, 5000);
});
