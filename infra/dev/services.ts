import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/**
 * The services, written down once: adding a service is adding one entry here (`npm run
 * new-service` does) and running `npm run services:sync`. The starter, the native stack,
 * Prometheus' targets, the benchmarks and the tests read this list as it is; sync writes what
 * is committed for people to read from it: docker-compose.yml's and .env's service blocks,
 * infra/postgres/init.sql, infra/Dockerfile and the Helm chart's service list and values
 * (infra/services/sync.ts), and test/config/services-sync.test.ts fails when one drifts.
 * Services start in this order, so a service comes after those it calls; the gateway comes
 * last: it is the only public entry.
 */
const LIST = [
  { name: 'user-service', port: 8001, database: 'users', public: true },
  { name: 'payment-service', port: 8003, database: 'payments', public: true },
  {
    name: 'order-service',
    port: 8002,
    database: 'orders',
    public: true,
    calls: ['user-service', 'payment-service'],
  },
  { name: 'api-gateway', port: 8080 },
] as const satisfies readonly ServiceEntry[];

interface ServiceEntry {
  /** Kebab-case: its folder under services/, its `service.name`, its compose service. */
  name: string;
  /** Where it listens, in compose and natively alike. */
  port: number;
  /** Its own PostgreSQL database, if it has one; its role is `databaseRole(name)`. */
  database?: string;
  /** The gateway routes part of the public API to it (so the gateway calls it). */
  public?: boolean;
  /** The other services it calls (besides the gateway's calls to public services). */
  calls?: readonly string[];
}

export type ServiceName = (typeof LIST)[number]['name'];

export interface ServiceSpec extends ServiceEntry {
  name: ServiceName;
  calls?: readonly ServiceName[];
}

export const SERVICES: readonly ServiceSpec[] = LIST;

/** Which services each one calls: its `calls`, and for the gateway every public service. */
export function serviceCalls(): Record<string, readonly string[]> {
  const calls: Record<string, readonly string[]> = {};
  for (const service of SERVICES) {
    const callees =
      service.name === 'api-gateway'
        ? SERVICES.filter((s) => s.public).map((s) => s.name)
        : (service.calls ?? []);
    if (callees.length > 0) calls[service.name] = callees;
  }
  return calls;
}

export type Ports = Record<ServiceName, number>;

export const DEFAULT_PORTS = Object.fromEntries(SERVICES.map((s) => [s.name, s.port])) as Ports;

/** The variable that holds a service's address: `order-service` → `ORDER_SERVICE_URL`. */
export function urlVariable(name: string): string {
  return `${name.toUpperCase().replaceAll('-', '_')}_URL`;
}

/**
 * The PostgreSQL role a service with a database connects as, owner of its database and of
 * nothing else (infra/postgres/init.sql creates it): `order-service` → `order_service`.
 */
export function databaseRole(name: string): string {
  return name.replaceAll('-', '_');
}

/** The variable the postgres container reads a role's password from: `ORDER_SERVICE_DB_PASSWORD`. */
export function databasePasswordVariable(name: string): string {
  return `${databaseRole(name).toUpperCase()}_DB_PASSWORD`;
}

/**
 * The addresses each service needs of the others (every one but the gateway), of those
 * `ports` has: a caller that starts only some services names only theirs.
 */
export function serviceUrls(ports: Partial<Ports>, host = '127.0.0.1'): Record<string, string> {
  return Object.fromEntries(
    SERVICES.flatMap((s) => {
      const port = ports[s.name];
      return s.name === 'api-gateway' || port === undefined
        ? []
        : [[urlVariable(s.name), `http://${host}:${port}`]];
    }),
  );
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts one service as its own process, the way it runs everywhere:
 * `node --import @sightline/telemetry/register services/<name>/src/main.ts`.
 */
export function spawnService(
  name: ServiceSpec['name'],
  env: NodeJS.ProcessEnv,
  /** Where its output goes: this terminal, a pipe to read, an open log file, or nowhere. */
  stdio: 'inherit' | 'pipe' | 'ignore' | number = 'inherit',
): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', '@sightline/telemetry/register', `services/${name}/src/main.ts`],
    { cwd: ROOT, env, stdio: ['ignore', stdio, stdio] },
  );
}

/**
 * Starts one service (`spawnService`) on `env.PORT` and resolves once its `/health/ready`
 * answers 200; rejects if it exits first, or is not ready within `timeoutMs`.
 */
export async function launchService(
  name: ServiceSpec['name'],
  env: NodeJS.ProcessEnv & { PORT: string },
  {
    stdio = 'ignore',
    timeoutMs = 30_000,
  }: {
    /** Where its output goes, as for `spawnService`; nowhere unless asked. */
    stdio?: 'inherit' | 'pipe' | 'ignore' | number;
    timeoutMs?: number;
  } = {},
): Promise<ChildProcess> {
  const child = spawnService(name, env, stdio);
  const ready = `http://127.0.0.1:${env.PORT}/health/ready`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} at start`);
    if (
      await fetch(ready).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
    }
    await sleep(50);
  }
}
