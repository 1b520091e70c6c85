/**
 * The chaos run's own Sightline: an embedded PostgreSQL and the four services, on free loopback
 * ports, every process one the run may kill, restart or pause. It is its own copy, next to
 * whatever else runs on this machine (the native stack, `npm start`), because it must own the
 * processes it harms; its services send their telemetry where OTEL_EXPORTER_OTLP_ENDPOINT says
 * (the native stack's collector by default), so a chaos run shows in Grafana and Jaeger.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../dev/embedded-postgres.ts';
import {
  SERVICES,
  serviceUrls,
  launchService,
  type Ports,
  type ServiceName,
} from '../dev/services.ts';
import { freePort } from '../dev/free-port.ts';

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

export interface ClusterOptions {
  /** Where PostgreSQL keeps its data and each process its log (`logs/<name>.log`). */
  dir: string;
  /** Settings each service gets on top of what the cluster sets (ports, URLs, databases). */
  env: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
}

export class Cluster {
  readonly ports: Ports;
  readonly adminToken = randomBytes(24).toString('hex');
  private readonly options: ClusterOptions;
  private readonly postgresPort: number;
  private postgres: EmbeddedPostgresServer | undefined;
  private readonly processes = new Map<ServiceName, ChildProcess>();
  private readonly paused = new Set<ServiceName>();

  private constructor(options: ClusterOptions, ports: Ports, postgresPort: number) {
    this.options = options;
    this.ports = ports;
    this.postgresPort = postgresPort;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    mkdirSync(join(options.dir, 'logs'), { recursive: true });
    const ports = {} as Ports;
    for (const service of SERVICES) ports[service.name] = await freePort();
    const cluster = new Cluster(options, ports, await freePort());
    await cluster.startPostgres();
    for (const service of SERVICES) {
      if (service.database) await cluster.postgres!.ensureDatabase(service.database);
    }
    await Promise.all(SERVICES.map((service) => cluster.startService(service.name)));
    return cluster;
  }

  url(service: ServiceName): string {
    return `http://127.0.0.1:${this.ports[service]}`;
  }

  databaseUrl(database: string): string {
    return this.postgres!.url(database);
  }

  /** Starts a service (again) and waits until it says it is ready. */
  async startService(name: ServiceName): Promise<void> {
    const spec = SERVICES.find((service) => service.name === name)!;
    const log = openSync(join(this.options.dir, 'logs', `${name}.log`), 'a');
    const child = await launchService(
      name,
      {
        ...process.env,
        ...serviceUrls(this.ports),
        PORT: String(this.ports[name]),
        ADMIN_TOKEN: this.adminToken,
        SHUTDOWN_READINESS_DELAY_MS: '0',
        ...(spec.database ? { DATABASE_URL: this.postgres!.url(spec.database) } : {}),
        ...this.options.env[name],
      },
      { stdio: log },
    );
    this.processes.set(name, child);
  }

  /** SIGKILL: the process gets no chance to finish anything. */
  async kill(name: ServiceName): Promise<void> {
    const child = this.processes.get(name);
    if (!child) return;
    this.paused.delete(name);
    child.kill('SIGKILL');
    await exited(child);
  }

  /** SIGSTOP: the process holds its connections and answers nothing until resumed. */
  pause(name: ServiceName): void {
    this.processes.get(name)?.kill('SIGSTOP');
    this.paused.add(name);
  }

  resume(name: ServiceName): void {
    this.processes.get(name)?.kill('SIGCONT');
    this.paused.delete(name);
  }

  /** SIGKILL to PostgreSQL's postmaster, as a crash or an out-of-memory kill would. */
  killPostgres(): void {
    const pid = Number(
      readFileSync(join(this.postgres!.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    process.kill(pid, 'SIGKILL');
  }

  /**
   * Starts PostgreSQL again on the same data and port. Until the killed server's backends have
   * noticed and exited, the new one refuses to start; it is tried again until it does.
   */
  async restartPostgres(): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.startPostgres();
        return;
      } catch (error) {
        if (tries >= 20) throw error;
        await sleep(500);
      }
    }
  }

  private async startPostgres(): Promise<void> {
    this.postgres = await startEmbeddedPostgres({
      dataDir: join(this.options.dir, 'postgres'),
      port: this.postgresPort,
      persistent: true,
    });
  }

  /** Resumes what is paused and starts what is down: the state the run's checks need. */
  async heal(): Promise<void> {
    for (const name of [...this.paused]) this.resume(name);
    await Promise.all(
      SERVICES.map(async ({ name }) => {
        const child = this.processes.get(name);
        if (!child || child.exitCode !== null || child.signalCode !== null)
          await this.startService(name);
      }),
    );
  }

  async stop(): Promise<void> {
    for (const name of [...this.paused]) this.resume(name);
    await Promise.all(
      [...this.processes.values()].map(async (child) => {
        child.kill('SIGTERM');
        await exited(child);
      }),
    );
    await this.postgres?.stop();
  }
}
