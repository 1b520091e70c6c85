/**
 * `npm run stack`: the native stack, the same backends and config files as docker compose,
 * plus the four services. Starts the supervisor (supervisor.ts) in the background, waits
 * until everything answers its health check, prints where to look, and returns.
 * `npm run stack:down` stops it. Logs: .data/stack/logs/<name>.log.
 *
 *   npm run stack -- --classroom   alert rules in classroom mode (infra/stack/rules.ts)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { binaryPath, fromPath, stackBackends } from './backends.ts';
import { COLLECTOR_MANIFEST } from './backends.ts';
import { waitHealthy } from './health.ts';
import { isOurs, readPids, writePid } from './pid-files.ts';
import { ROOT, readPins } from './pins.ts';
import type { RulesMode } from './rules.ts';
import { samplingProfileName } from './sampling.ts';
import {
  LOG_DIR,
  LOOPBACK,
  backendProcesses,
  logsDestination,
  serviceProcesses,
  type StackProcess,
} from './processes.ts';

const pins = readPins();

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--classroom');
if (unknown.length > 0)
  fail(`unknown option ${unknown.join(' ')}; usage: npm run stack [-- --classroom]`);
const rules: RulesMode = args.includes('--classroom') ? 'classroom' : 'shipped';
try {
  samplingProfileName();
} catch (error) {
  fail((error as Error).message);
}

// Refuse to start twice, and name a missing install before anything starts.
if (readPids().some(isOurs)) fail('The stack is already running; `npm run stack:down` stops it.');
for (const backend of stackBackends(pins)) {
  for (const binary of Object.keys(backend.binaries)) {
    const path = fromPath(backend.name)
      ? safe(() => binaryPath(backend, binary))
      : backend.binaries[binary]!.cached;
    if (!path || !existsSync(path))
      fail(`${backend.name} ${backend.version} is not installed: run \`npm run stack:install\`.`);
  }
}

// The collector is built from otel-collector/builder-config.yaml; one built from an older
// manifest lacks a component the config now uses, and would fail at start with less to go on.
const collector = stackBackends(pins).find((backend) => backend.name === 'otelcol');
if (collector && !fromPath('otelcol')) {
  const stamp = join(collector.dir, '.inputs');
  const manifest = createHash('sha256').update(readFileSync(COLLECTOR_MANIFEST)).digest('hex');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== manifest)
    fail(
      `The collector was built from an older ${relative(ROOT, COLLECTOR_MANIFEST)}: run \`npm run stack:install\`.`,
    );
}

function safe(f: () => string): string | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * A port someone else already uses would make a backend fail obscurely later. The probe binds
 * where the stack's processes will (LOOPBACK), so it fails exactly when one of them would:
 * something on 127.0.0.1, or on every address (0.0.0.0, or :: taking IPv4 too), holds the port.
 */
async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, LOOPBACK);
  });
}

const specs: StackProcess[] = [...backendProcesses(pins), ...serviceProcesses(() => '', pins)];
const ports = specs.flatMap((s) => s.ports);
const taken = [];
for (const port of ports) if (!(await portFree(port))) taken.push(port);
if (taken.length > 0) fail(`Ports already in use: ${taken.join(', ')}. Stop what uses them first.`);

mkdirSync(LOG_DIR, { recursive: true });
const log = openSync(join(LOG_DIR, 'supervisor.log'), 'a');
const started = Date.now();
const supervisor = spawn(process.execPath, [join(ROOT, 'infra/stack/supervisor.ts')], {
  cwd: ROOT,
  env: { ...process.env, SIGHTLINE_RULES: rules },
  detached: true,
  stdio: ['ignore', log, log],
});
writePid({ name: 'supervisor', pid: supervisor.pid!, command: 'infra/stack/supervisor.ts' });
supervisor.unref();
console.log(`Starting the native stack (logs in ${LOG_DIR}) …`);

try {
  const alive = () => supervisor.exitCode === null;
  await Promise.all(specs.map((spec) => waitHealthy(spec.health, 180_000, alive)));
} catch (error) {
  const tail = readFileSync(join(LOG_DIR, 'supervisor.log'), 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-10);
  fail(
    `The stack did not come up: ${(error as Error).message}\n${tail.join('\n')}\n(npm run stack:down cleans up)`,
  );
}

console.log(`Up in ${Math.round((Date.now() - started) / 1000)} s.\n`);
const rows: [string, string][] = [
  ['API gateway', `http://localhost:${pins.API_GATEWAY_PORT}/api/products`],
  ['Jaeger (traces)', `http://localhost:${pins.JAEGER_UI_PORT}`],
  ['Prometheus (metrics, alerts)', `http://localhost:${pins.PROMETHEUS_PORT}`],
  ['Alertmanager', `http://localhost:${pins.ALERTMANAGER_PORT}`],
  ['Alert webhook (received alerts)', `http://localhost:${pins.ALERT_WEBHOOK_PORT}/notifications`],
  ['Spotlight (errors)', `http://localhost:${pins.SPOTLIGHT_PORT}`],
  [
    'Collector (OTLP)',
    `http://localhost:${pins.OTELCOL_HTTP_PORT}, grpc localhost:${pins.OTELCOL_GRPC_PORT}`,
  ],
];
const logs = logsDestination(pins);
if (logs.kind === 'local-loki')
  rows.push(['Loki (logs API)', `http://localhost:${pins.LOKI_PORT}/loki/api/v1/labels`]);
else if (logs.kind === 'endpoint') rows.push(['Logs (OTLP, LOKI_OTLP_ENDPOINT)', logs.endpoint]);
for (const [what, url] of rows) console.log(`  ${what.padEnd(34)} ${url}`);
if (logs.kind === 'none')
  console.log(
    `\nNo Loki here (it is never built natively; SIGHTLINE_STACK_FROM_PATH=loki uses your own).\n` +
      `Each service's log lines, with trace_id, are in ${LOG_DIR}/<service>.log;\n` +
      `one request's lines, from every service in time order: npm run stack:logs -- <trace id>`,
  );
console.log(
  rules === 'classroom'
    ? '\nAlert rules: classroom mode, every for: over 1m cut to 30 s (npm run stack:rules -- shipped)'
    : '\nAlert rules: as shipped (classroom mode: npm run stack:rules -- classroom)',
);
const rate = process.env.TRAFFIC_RATE?.trim() || '1';
console.log(
  Number(rate) === 0
    ? 'Traffic: none (TRAFFIC_RATE=0)'
    : `Traffic: customers at ${rate} journey(s) a second (TRAFFIC_RATE=0 npm run stack for none)`,
);
console.log(
  samplingProfileName() === 'production'
    ? 'Sampling: production: errors, slow and marked traces, and a share of the rest reach Jaeger (docs/sampling.md)'
    : 'Sampling: every trace kept (SIGHTLINE_SAMPLING=production npm run stack to tail-sample; docs/sampling.md)',
);
console.log('Faults for drills: npm run fault -- list');
console.log('Grafana runs in docker compose only. `npm run stack:down` stops everything.');
