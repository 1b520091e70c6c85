/**
 * `npm start`: the four services on this machine, with nothing else installed. Each service
 * gets its own database on an embedded PostgreSQL (data kept in `.data/postgres`, or in
 * EMBEDDED_POSTGRES_DATA_DIR), unless its `<SERVICE>_DATABASE_URL` (e.g.
 * `ORDER_SERVICE_DATABASE_URL`) points at a server of your own.
 * Telemetry goes to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318) if anything
 * listens there. Each service's admin API (`npm run fault`) takes SIGHTLINE_ADMIN_TOKEN, or a
 * token made for this run and left in `.data/admin-token`.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { adminTokenForRun, forgetAdminToken } from './admin-token.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from './embedded-postgres.ts';
import { DEFAULT_PORTS, SERVICES, serviceUrls, spawnService } from './services.ts';

const DATA_DIR =
  process.env.EMBEDDED_POSTGRES_DATA_DIR ??
  fileURLToPath(new URL('../../.data/postgres', import.meta.url));
const POSTGRES_PORT = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);

function overrideKey(name: string): string {
  return `${name.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
}

const needsEmbedded = SERVICES.some((s) => s.database && !process.env[overrideKey(s.name)]);
let postgres: EmbeddedPostgresServer | undefined;
if (needsEmbedded) {
  postgres = await startEmbeddedPostgres({
    dataDir: DATA_DIR,
    port: POSTGRES_PORT,
    persistent: true,
  });
  console.error(`embedded PostgreSQL on 127.0.0.1:${POSTGRES_PORT} (data in ${postgres.dataDir})`);
}

const adminToken = adminTokenForRun();
let stopping = false;
const children: ChildProcess[] = [];
for (const service of SERVICES) {
  let databaseUrl: string | undefined;
  if (service.database) {
    databaseUrl = process.env[overrideKey(service.name)];
    if (!databaseUrl && postgres) {
      await postgres.ensureDatabase(service.database);
      databaseUrl = postgres.url(service.database);
    }
  }
  const child = spawnService(service.name, {
    // Nothing balances load in front of these; Ctrl-C need not wait for one to notice.
    SHUTDOWN_READINESS_DELAY_MS: '0',
    ...process.env,
    ...serviceUrls(DEFAULT_PORTS),
    PORT: String(service.port),
    ADMIN_TOKEN: adminToken,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  child.once('exit', (code) => {
    if (!stopping) {
      console.error(`${service.name} exited with code ${code}; stopping the others`);
      void stop(1);
    }
  });
  children.push(child);
}

// Services call each other only per request, so they start together; report once all are ready.
await Promise.all(
  SERVICES.map(async (service) => {
    while (!stopping) {
      const ready = await fetch(`http://127.0.0.1:${service.port}/health/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await sleep(200);
    }
  }),
);
if (!stopping) {
  console.error(
    [
      '',
      'Sightline is up. The API: http://localhost:8080/api/products',
      ...SERVICES.map(
        (s) => `  ${s.name.padEnd(16)} http://localhost:${s.port}  (/health/ready, /metrics)`,
      ),
      'Faults for drills: npm run fault -- list',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await postgres?.stop();
  forgetAdminToken(adminToken);
  process.exit(code);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
