/**
 * One PostgreSQL server for the whole `npm test` run; each test makes its own databases on it.
 * Where the server comes from, in order: TEST_DATABASE_URL if set (a server you run), a
 * container if a Docker engine is reachable (testcontainers), else an embedded PostgreSQL
 * started from the npm package. Test files read the result from TEST_POSTGRES_URL.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fromUrl,
  startEmbeddedPostgres,
  type PostgresServer,
} from '../../infra/dev/embedded-postgres.ts';
import { freePort } from './ports.ts';

let server: PostgresServer | undefined;

async function startContainer(): Promise<PostgresServer | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(
    process.env.POSTGRES_IMAGE ?? 'postgres:18-alpine',
  )
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off'])
    .withTmpFs({ '/var/lib/postgresql': 'rw' })
    .start();
  return fromUrl(container.getConnectionUri(), async () => void (await container.stop()));
}

async function startEmbedded(): Promise<PostgresServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sightline-test-pg-'));
  return startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, fast: true });
}

export async function globalSetup(): Promise<void> {
  const explicit = process.env.TEST_DATABASE_URL;
  server = explicit ? fromUrl(explicit) : ((await startContainer()) ?? (await startEmbedded()));
  process.env.TEST_POSTGRES_URL = server.url('postgres');
  // Services started inside test processes stay quiet; spawned ones set their own level.
  process.env.LOG_LEVEL ??= 'silent';
}

export async function globalTeardown(): Promise<void> {
  await server?.stop();
}
