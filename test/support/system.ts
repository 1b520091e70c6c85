import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  SERVICES,
  serviceUrls,
  spawnService,
  type Ports,
  type ServiceSpec,
} from '../../infra/dev/services.ts';
import type { PostgresServer } from '../../infra/dev/embedded-postgres.ts';
import { createTestDatabase } from './database.ts';
import { eventually } from './eventually.ts';
import { freePort } from './ports.ts';

type ServiceName = ServiceSpec['name'];

/** The services one order passes through, gateway first: not every service there is. */
export const ORDER_PATH: readonly ServiceName[] = [
  'api-gateway',
  'order-service',
  'user-service',
  'payment-service',
];

export interface LogLine {
  level: string;
  msg: string;
  trace_id?: string;
  request_id?: string;
  [field: string]: unknown;
}

/**
 * The four services as separate processes, started exactly as `npm start` starts them, each
 * on a free port and its own fresh database, exporting telemetry to `otlpUrl`.
 */
export class System {
  readonly ports: Ports;
  private readonly env: Record<ServiceName, NodeJS.ProcessEnv>;
  private readonly processes = new Map<ServiceName, ChildProcess>();
  /** Every stdout line of every service, raw, in arrival order. */
  readonly output: { service: ServiceName; line: string }[] = [];
  readonly stderr: { service: ServiceName; line: string }[] = [];

  private constructor(ports: Ports, env: Record<ServiceName, NodeJS.ProcessEnv>) {
    this.ports = ports;
    this.env = env;
  }

  static async start(options: {
    otlpUrl: string;
    env?: Partial<Record<ServiceName, Record<string, string>>>;
    common?: Record<string, string>;
    /** Where the services' databases are made: the run's shared server unless given. */
    postgres?: PostgresServer;
  }): Promise<System> {
    const ports = {} as Ports;
    for (const service of SERVICES) ports[service.name] = await freePort();
    const env = {} as Record<ServiceName, NodeJS.ProcessEnv>;
    for (const service of SERVICES) {
      env[service.name] = {
        PATH: process.env.PATH,
        PORT: String(ports[service.name]),
        LOG_LEVEL: 'info',
        ...serviceUrls(ports),
        ...(service.database
          ? { DATABASE_URL: await createTestDatabase(service.database, options.postgres) }
          : {}),
        OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
        // No load balancer polls these processes; a test that wants the delay sets it.
        SHUTDOWN_READINESS_DELAY_MS: '0',
        // Every test signs its users up from this one address; a test of the limit sets its own.
        ...(service.name === 'api-gateway' ? { SIGN_UP_RATE_LIMIT_MAX: '10000' } : {}),
        ...options.common,
        ...options.env?.[service.name],
      };
    }
    const system = new System(ports, env);
    // Services call each other only when a request comes in, so they can start in any order.
    await Promise.all(SERVICES.map((service) => system.launch(service.name)));
    return system;
  }

  databaseUrl(service: ServiceName): string {
    const url = this.env[service].DATABASE_URL;
    if (!url) throw new Error(`${service} has no database`);
    return url;
  }

  url(service: ServiceName): string {
    return `http://127.0.0.1:${this.ports[service]}`;
  }

  /** Starts (or restarts) one service and waits until it reports ready. */
  async launch(service: ServiceName): Promise<void> {
    const child = spawnService(service, this.env[service], 'pipe');
    this.processes.set(service, child);
    createInterface({ input: child.stdout! }).on('line', (line) =>
      this.output.push({ service, line }),
    );
    createInterface({ input: child.stderr! }).on('line', (line) =>
      this.stderr.push({ service, line }),
    );
    await eventually(
      `${service} to be ready`,
      async () => {
        if (child.exitCode !== null) {
          const errors = this.stderr.filter((l) => l.service === service).map((l) => l.line);
          throw new Error(`${service} exited with ${child.exitCode}: ${errors.join('\n')}`);
        }
        return (await fetch(`${this.url(service)}/health/ready`)).ok;
      },
      30_000,
    );
  }

  /** Stops one service with SIGTERM, as an orchestrator would, and waits for it to exit. */
  async stopService(service: ServiceName): Promise<number | null> {
    const child = this.processes.get(service);
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    return exited;
  }

  /** Parsed JSON log lines, optionally of one service. */
  logs(service?: ServiceName): (LogLine & { service: ServiceName })[] {
    return this.output
      .filter((entry) => !service || entry.service === service)
      .flatMap((entry) => {
        try {
          return [{ ...(JSON.parse(entry.line) as LogLine), service: entry.service }];
        } catch {
          return [];
        }
      });
  }

  async stop(): Promise<void> {
    await Promise.all(SERVICES.map((service) => this.stopService(service.name)));
  }
}

/** A fresh, sampled W3C `traceparent` and the trace id in it. */
export function newTraceparent(): { traceparent: string; traceId: string; parentSpanId: string } {
  const hex = (bytes: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
  const traceId = hex(16);
  const parentSpanId = hex(8);
  return { traceparent: `00-${traceId}-${parentSpanId}-01`, traceId, parentSpanId };
}
