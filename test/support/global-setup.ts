/**
 * One PostgreSQL server for the whole `npm test` run; each test makes its own databases on it.
 * Where the server comes from, in order: TEST_DATABASE_URL if set (a server you run), a
 * container if a Docker engine is reachable (testcontainers), else an embedded PostgreSQL
 * started from the npm package. Test files read the result from TEST_POSTGRES_URL.
 *
 *   TEST_POSTGRES=container   a container or a failed run, never the embedded fallback
 *   TEST_POSTGRES=embedded    the embedded server even when Docker answers
 *   POSTGRES_IMAGE            the container's image (default: compose's pin in .env)
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fromUrl,
  startEmbeddedPostgres,
  type PostgresServer,
} from '../../infra/dev/embedded-postgres.ts';
import { pin, readPins } from '../../infra/stack/pins.ts';
import { freePort } from './ports.ts';

let server: PostgresServer | undefined;

async function startContainer(required: boolean): Promise<PostgresServer | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    if (required)
      throw new Error(`TEST_POSTGRES=container, but no Docker engine answers`, { cause: error });
    return undefined;
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const image = process.env.POSTGRES_IMAGE || pin(readPins(), 'POSTGRES_IMAGE');
  const container = await new PostgreSqlContainer(image)
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off'])
    .withTmpFs({ '/var/lib/postgresql': 'rw' })
    .start();
  console.log(`PostgreSQL for this run: a container of ${image} (testcontainers)`);
  return fromUrl(container.getConnectionUri(), async () => void (await container.stop()));
}

async function startEmbedded(): Promise<PostgresServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sightline-test-pg-'));
  return startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, fast: true });
}

export async function globalSetup(): Promise<void> {
  const explicit = process.env.TEST_DATABASE_URL;
  const wanted = process.env.TEST_POSTGRES;
  if (wanted && wanted !== 'container' && wanted !== 'embedded')
    throw new Error(`TEST_POSTGRES=${wanted}: expected container or embedded`);
  if (explicit) server = fromUrl(explicit);
  else if (wanted === 'embedded') server = await startEmbedded();
  else server = (await startContainer(wanted === 'container')) ?? (await startEmbedded());
  process.env.TEST_POSTGRES_URL = server.url('postgres');
  // Services started inside test processes stay quiet; spawned ones set their own level.
  process.env.LOG_LEVEL ??= 'silent';
}

export async function globalTeardown(): Promise<void> {
  await server?.stop();
}
