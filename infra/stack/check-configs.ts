/**
 * `npm run stack:check`: every config file checked by the very binary, at the pinned
 * version, that runs it (run `npm run stack:install` first). Grafana cannot run here, so
 * its provisioning is checked structurally: unique uids, and every cross-link pointing at
 * one of them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, binaryPath } from './backends.ts';
import { ROOT } from './pins.ts';
import { writeTargets } from './prometheus-targets.ts';

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
const loki = binaryPath(all.loki, 'loki');

check('collector: otelcol validate', otelcol, [
  'validate',
  '--config',
  'otel-collector/config.yaml',
]);
check('jaeger: jaeger validate', jaeger, ['validate', '--config', 'infra/jaeger/config.yaml']);
for (const mode of ['compose', 'native'] as const) {
  const dir = prometheusDir(mode);
  check(`prometheus: promtool check config (${mode} targets)`, promtool, [
    'check',
    'config',
    join(dir, 'prometheus.yml'),
  ]);
}
const rules = readdirSync(join(ROOT, 'prometheus/rules')).map((f) => `prometheus/rules/${f}`);
check('prometheus: promtool check rules', promtool, ['check', 'rules', ...rules]);
const tests = readdirSync(join(ROOT, 'prometheus/tests')).map((f) => `prometheus/tests/${f}`);
check('prometheus: promtool test rules', promtool, ['test', 'rules', ...tests]);
check('alertmanager: amtool check-config', amtool, ['check-config', 'prometheus/alertmanager.yml']);
check(
  'loki: loki -verify-config',
  loki,
  ['-verify-config', '-config.file=loki/config.yaml', '-config.expand-env=true'],
  { LOKI_DATA_DIR: join(scratch, 'loki') },
);
checkGrafanaDatasources();
// The compose-spec reference loader (the library in `docker compose`), built from
// infra/compose-check: schema, .env interpolation, references, mounts, memory budget,
// hardening (ports on 127.0.0.1, read-only Grafana, healthchecks, grace periods).
check(
  'compose: compose-spec loader (infra/compose-check)',
  'go',
  ['run', '.', ROOT],
  {
    GOFLAGS: `${process.env.GOFLAGS ?? ''} -modcacherw`.trim(),
    GOWORK: 'off',
  },
  join(ROOT, 'infra/compose-check'),
);

rmSync(scratch, { recursive: true, force: true });
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

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
  const ok = uids.length === 4 && duplicates.length === 0 && dangling.length === 0;
  results.push({ what: 'grafana: datasource uids and cross-links', ok });
  console.log(`${ok ? '✓' : '✗'} grafana: datasource uids and cross-links (${uids.join(', ')})`);
  if (!ok)
    console.log(
      `uids ${uids.join(', ')}; duplicates ${duplicates.join(', ')}; dangling ${dangling.join(', ')}`,
    );
}
