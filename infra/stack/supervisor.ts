/**
 * The native stack's parent process, started in the background by `npm run stack` (up.ts).
 * It owns everything the stack runs: an embedded PostgreSQL, the backends and the four
 * services, each logging to .data/stack/logs/<name>.log and recorded in .data/stack/pids/.
 * On SIGTERM (`npm run stack:down`) it stops the services, then the backends, then the
 * database. A process that exits is logged here and not restarted, so a drill that stops
 * a service or the collector sees it stay down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { adminTokenForRun, forgetAdminToken } from '../dev/admin-token.ts';
import { startEmbeddedPostgres, type PostgresServer } from '../dev/embedded-postgres.ts';
import { SERVICES, spawnService } from '../dev/services.ts';
import { waitHealthy } from './health.ts';
import { removePid, writePid } from './pid-files.ts';
import { ROOT } from './pins.ts';
import { writeTargets } from './prometheus-targets.ts';
import { linkRules } from './rules.ts';
import {
  LOG_DIR,
  POSTGRES_PORT,
  PROMETHEUS_DIR,
  STATE_DIR,
  backendProcesses,
  logsDestination,
  serviceProcesses,
  trafficProcess,
  type StackProcess,
} from './processes.ts';

const running: { spec: Startable; child: ChildProcess }[] = [];
let stopping = false;

function say(msg: string): void {
  console.log(`${new Date().toISOString()} ${msg}`);
}

/**
 * Prometheus resolves relative paths against its config file's folder. Its folder here
 * holds links to the repo's prometheus.yml and its rules (shipped, or classroom mode's when
 * `npm run stack -- --classroom` set SIGHTLINE_RULES=classroom), and this stack's targets/.
 */
function preparePrometheus(): void {
  rmSync(PROMETHEUS_DIR, { recursive: true, force: true });
  mkdirSync(PROMETHEUS_DIR, { recursive: true });
  symlinkSync(join(ROOT, 'prometheus/prometheus.yml'), join(PROMETHEUS_DIR, 'prometheus.yml'));
  const mode = process.env.SIGHTLINE_RULES === 'classroom' ? 'classroom' : 'shipped';
  linkRules(mode);
  say(`Prometheus rules: ${mode}`);
  writeTargets(join(PROMETHEUS_DIR, 'targets'), 'native', logsDestination().kind === 'local-loki');
}

type Startable = Pick<StackProcess, 'name' | 'command' | 'args' | 'env' | 'service'>;

function start(spec: Startable): ChildProcess {
  const log = openSync(join(LOG_DIR, `${spec.name}.log`), 'a');
  const env = { ...process.env, ...spec.env };
  const child = spec.service
    ? spawnService(spec.service, env, 'pipe')
    : spawn(spec.command!, spec.args ?? [], { cwd: ROOT, env, stdio: ['ignore', log, log] });
  child.stdout?.on('data', (chunk: Buffer) => writeSync(log, chunk));
  child.stderr?.on('data', (chunk: Buffer) => writeSync(log, chunk));
  const command = spec.service ? `services/${spec.service}/src/main.ts` : spec.command!;
  if (child.pid) writePid({ name: spec.name, pid: child.pid, command });
  child.once('exit', (code, signal) => {
    removePid(spec.name);
    if (!stopping) say(`${spec.name} exited (code ${code}, signal ${signal}); not restarting`);
  });
  running.push({ spec, child });
  say(`started ${spec.name} (pid ${child.pid})`);
  return child;
}

async function startAll(specs: StackProcess[]): Promise<void> {
  const started = specs.map((spec) => ({ spec, child: start(spec) }));
  await Promise.all(
    started.map(({ spec, child }) =>
      waitHealthy(spec.health, 120_000, () => child.exitCode === null && child.signalCode === null),
    ),
  );
}

async function stopChild({ spec, child }: (typeof running)[number]): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    say(`${spec.name} ignored SIGTERM for 15 s; killing it`);
    child.kill('SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

let postgres: PostgresServer | undefined;
/** This run's admin token, once made: forgotten when the stack stops. */
let adminToken: string | undefined;

async function stopAll(code: number): Promise<never> {
  stopping = true;
  say('stopping');
  // Customers first, then the services they call, then what the services need.
  const clients = running.filter((r) => r.spec.name === 'traffic');
  const services = running.filter((r) => r.spec.service);
  const others = running.filter((r) => !r.spec.service && !clients.includes(r)).reverse();
  await Promise.all(clients.map(stopChild));
  await Promise.all(services.map(stopChild));
  for (const r of others) await stopChild(r);
  await postgres?.stop();
  removePid('postgres');
  if (adminToken) forgetAdminToken(adminToken);
  say('stopped');
  process.exit(code);
}

process.once('SIGTERM', () => void stopAll(0));
process.once('SIGINT', () => void stopAll(0));

try {
  mkdirSync(LOG_DIR, { recursive: true });
  preparePrometheus();
  // Like Prometheus' data, Alertmanager's state (its notification log and silences) belongs
  // to one run of the stack. Kept, an alert that fired in an earlier run would count as
  // already notified, and the webhook would hear nothing for the repeat interval (4 h).
  rmSync(join(STATE_DIR, 'alertmanager'), { recursive: true, force: true });
  postgres = await startEmbeddedPostgres({
    dataDir: join(STATE_DIR, 'postgres'),
    port: POSTGRES_PORT,
    persistent: false,
    fast: true,
  });
  say(`PostgreSQL on 127.0.0.1:${POSTGRES_PORT}`);
  const server = postgres;
  for (const service of SERVICES) {
    if (service.database) await server.ensureDatabase(service.database);
  }
  adminToken = adminTokenForRun();
  const services = serviceProcesses((database) => server.url(database), undefined, adminToken);
  await startAll(backendProcesses());
  say('backends healthy');
  await startAll(services);
  say('services healthy');
  const traffic = trafficProcess();
  if (traffic) start(traffic);
  else say('no traffic (TRAFFIC_RATE=0)');
} catch (error) {
  say(`failed: ${(error as Error).message}`);
  await stopAll(1);
}
