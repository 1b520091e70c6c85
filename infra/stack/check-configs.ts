/**
 * `npm run stack:check`: every config file checked by the very binary, at the pinned
 * version, that runs it (run `npm run stack:install` first). Grafana and Loki are
 * AGPL-licensed and never run on our machines, so their files are checked structurally:
 * Grafana's provisioning for unique uids and cross-links that point at one of them, Loki's
 * config for what Sightline relies on (infra/stack/loki-config.ts; with
 * SIGHTLINE_STACK_FROM_PATH=loki, your Loki's `-verify-config` as well). Every PromQL and
 * LogQL expression the repository ships is parsed with its grammar.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findQueries } from '../queries/find.ts';
import { fillGrafanaVariables, syntaxErrors } from '../queries/grammar.ts';
import { backends, binaryPath, inStack } from './backends.ts';
import { freePort } from '../dev/free-port.ts';
import { checkLokiConfigFile } from './loki-config.ts';
import { ROOT, pin, readPins } from './pins.ts';
import { writeTargets } from './prometheus-targets.ts';
import { composeMemoryBudgetMiB } from './memory-budget.ts';
import { SAMPLING_PROFILES, collectorConfigFiles } from './sampling.ts';

const all = backends();
const scratch = mkdtempSync(join(tmpdir(), 'sightline-check-'));
const results: { what: string; ok: boolean }[] = [];

function check(
  what: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd = ROOT,
): void {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  const ok = result.status === 0;
  results.push({ what, ok });
  console.log(`${ok ? '✓' : '✗'} ${what}`);
  if (!ok)
    console.log(`${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`);
}

/** A check done here rather than by a binary: passes when it found no problem. */
function report(what: string, problems: string[]): void {
  const ok = problems.length === 0;
  results.push({ what, ok });
  console.log(`${ok ? '✓' : '✗'} ${what}`);
  for (const problem of problems) console.log(`  ${problem}`);
}

// Prometheus resolves targets/ and rules/ against its config's folder: lay one out as the
// stack does, with both compose's and the native target lists checked.
function prometheusDir(mode: 'compose' | 'native'): string {
  const dir = join(scratch, `prometheus-${mode}`);
  writeTargets(join(dir, 'targets'), mode);
  symlinkSync(join(ROOT, 'prometheus/prometheus.yml'), join(dir, 'prometheus.yml'));
  symlinkSync(join(ROOT, 'prometheus/rules'), join(dir, 'rules'));
  return dir;
}

const otelcol = binaryPath(all.otelcol, 'otelcol');
const jaeger = binaryPath(all.jaeger, 'jaeger');
const promtool = binaryPath(all.prometheus, 'promtool');
const amtool = binaryPath(all.alertmanager, 'amtool');

check('collector: otelcol validate', otelcol, [
  'validate',
  '--config',
  'otel-collector/config.yaml',
]);
for (const profile of SAMPLING_PROFILES) {
  const configs = collectorConfigFiles(profile).flatMap((file) => ['--config', file]);
  check(`collector: otelcol validate (sampling profile ${profile})`, otelcol, [
    'validate',
    ...configs,
  ]);
  // `validate` does not build processors; the tail sampler compiles its OTTL conditions only
  // when it starts. So start the collector once, on free ports, until it is ready.
  report(`collector: starts with sampling profile ${profile}`, await startsCleanly(configs));
}
check('jaeger: jaeger validate', jaeger, ['validate', '--config', 'infra/jaeger/config.yaml']);
for (const mode of ['compose', 'native'] as const) {
  const dir = prometheusDir(mode);
  check(`prometheus: promtool check config (${mode} targets)`, promtool, [
    'check',
    'config',
    join(dir, 'prometheus.yml'),
  ]);
}
for (const folder of ['rules', 'classroom-rules']) {
  const rules = readdirSync(join(ROOT, 'prometheus', folder)).map(
    (f) => `prometheus/${folder}/${f}`,
  );
  check(`prometheus: promtool check rules (${folder})`, promtool, ['check', 'rules', ...rules]);
}
const tests = readdirSync(join(ROOT, 'prometheus/tests')).map((f) => `prometheus/tests/${f}`);
check('prometheus: promtool test rules', promtool, ['test', 'rules', ...tests]);
check('alertmanager: amtool check-config', amtool, ['check-config', 'prometheus/alertmanager.yml']);
report(
  'loki: structure (infra/stack/loki-config.ts)',
  checkLokiConfigFile(join(ROOT, 'loki/config.yaml'), Number(pin(readPins(), 'LOKI_PORT'))),
);
if (inStack(all.loki))
  check(
    'loki: loki -verify-config (your Loki, from PATH)',
    binaryPath(all.loki, 'loki'),
    ['-verify-config', '-config.file=loki/config.yaml', '-config.expand-env=true'],
    { LOKI_DATA_DIR: join(scratch, 'loki') },
  );
checkGrafanaDatasources();
const queries = findQueries();
report(
  `queries: ${queries.length} PromQL and LogQL expressions parse with their grammars`,
  queries.flatMap((q) =>
    syntaxErrors(q.language, q.grafana ? fillGrafanaVariables(q.expr) : q.expr).map(
      (e) => `${q.file} (${q.where}): ${e}`,
    ),
  ),
);
// The compose-spec reference loader (the library in `docker compose`), built from
// harness/compose-check: schema, .env interpolation, references, mounts, memory budget (one
// that grows with the service list: infra/stack/memory-budget.ts),
// hardening (ports on 127.0.0.1, read-only Grafana, healthchecks, grace periods).
check(
  'compose: compose-spec loader (harness/compose-check)',
  'go',
  ['run', '.', '-budget-mib', String(composeMemoryBudgetMiB()), ROOT],
  {
    GOFLAGS: `${process.env.GOFLAGS ?? ''} -modcacherw`.trim(),
    GOWORK: 'off',
  },
  join(ROOT, 'harness/compose-check'),
);

rmSync(scratch, { recursive: true, force: true });
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

/**
 * Starts the collector with these configs and an overlay moving its listeners to free ports;
 * passes once it reports itself ready, fails if it exits first.
 */
async function startsCleanly(configs: string[]): Promise<string[]> {
  const [grpc, http, health, metrics] = await Promise.all([1, 2, 3, 4].map(() => freePort()));
  const ports = join(scratch, 'collector-ports.yaml');
  writeFileSync(
    ports,
    JSON.stringify({
      extensions: { health_check: { endpoint: `127.0.0.1:${health}` } },
      receivers: {
        otlp: {
          protocols: {
            grpc: { endpoint: `127.0.0.1:${grpc}` },
            http: { endpoint: `127.0.0.1:${http}` },
          },
        },
      },
      service: {
        telemetry: {
          metrics: {
            readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: metrics } } } }],
          },
        },
      },
    }),
  );
  const child = spawn(otelcol, [...configs, '--config', ports], {
    cwd: ROOT,
    env: { ...process.env, OTELCOL_LOGS_EXPORTER: 'nop' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  const ready = await new Promise<boolean>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Everything is ready')) resolve(true);
    });
    child.once('exit', () => resolve(false));
    setTimeout(() => resolve(false), 60_000).unref();
  });
  child.kill();
  return ready
    ? []
    : [
        output
          .split('\n')
          .filter((line) => /error/i.test(line))
          .join('\n'),
      ];
}

/** The uids the provisioning file defines, and every datasourceUid it links to. */
function checkGrafanaDatasources(): void {
  const text = readFileSync(
    join(ROOT, 'grafana/provisioning/datasources/datasources.yaml'),
    'utf8',
  );
  const uids = [...text.matchAll(/^\s{4}uid:\s*(\S+)/gm)].map((m) => m[1]);
  const links = [...text.matchAll(/datasourceUid:\s*(\S+)/g)].map((m) => m[1]);
  const duplicates = uids.filter((uid, i) => uids.indexOf(uid) !== i);
  const dangling = links.filter((uid) => !uids.includes(uid));
  const problems = [
    ...(uids.length === 4 ? [] : [`expected 4 datasources, found ${uids.length}`]),
    ...duplicates.map((uid) => `uid ${uid} defined twice`),
    ...dangling.map((uid) => `a link points at ${uid}, which no datasource has`),
  ];
  report(`grafana: datasource uids and cross-links (${uids.join(', ')})`, problems);
}
