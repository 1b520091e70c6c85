import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The services, written down once. The starter, the end-to-end tests and the stack tests all
 * read this list, so adding a service is adding one entry.
 */
export interface ServiceSpec {
  name: 'api-gateway' | 'user-service' | 'order-service' | 'payment-service';
  port: number;
  /** Its own PostgreSQL database, if it has one. */
  database?: string;
}

export const SERVICES: readonly ServiceSpec[] = [
  { name: 'user-service', port: 8001, database: 'users' },
  { name: 'payment-service', port: 8003, database: 'payments' },
  { name: 'order-service', port: 8002, database: 'orders' },
  { name: 'api-gateway', port: 8080 },
];

export type Ports = Record<ServiceSpec['name'], number>;

export const DEFAULT_PORTS = Object.fromEntries(SERVICES.map((s) => [s.name, s.port])) as Ports;

/** The addresses each service needs of the others. */
export function serviceUrls(ports: Ports, host = '127.0.0.1'): Record<string, string> {
  return {
    USER_SERVICE_URL: `http://${host}:${ports['user-service']}`,
    ORDER_SERVICE_URL: `http://${host}:${ports['order-service']}`,
    PAYMENT_SERVICE_URL: `http://${host}:${ports['payment-service']}`,
  };
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
