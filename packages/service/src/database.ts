import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logger, registry } from '@sightline/telemetry';
import pg from 'pg';
import client from 'prom-client';
import { connectFailure } from './database-unavailable.ts';
import type { ReadinessCheck } from './health.ts';

export type { Pool, PoolClient } from 'pg';

export interface PoolOptions {
  /** The longest any one statement may run; PostgreSQL cancels it after that. */
  statementTimeoutMs: number;
  maxConnections?: number;
  /** How long a request waits for a connection before it fails as `DatabaseUnavailable`. */
  connectionTimeoutMs?: number;
}

/**
 * The request pools /metrics reports, by pool name. A newer pool of the same name replaces the
 * older one (a service started twice in one process), and a pool that has ended drops out.
 */
const pools = new Map<string, { pool: pg.Pool; max: number }>();

function* livePools() {
  for (const [name, entry] of pools) {
    if (entry.pool.ended) pools.delete(name);
    else yield { name, ...entry };
  }
}

type PoolLabels = 'db_client_connection_pool_name' | 'db_client_connection_state';

/**
 * The pool's saturation, as OpenTelemetry's database client metrics name it
 * (`db.client.connection.count{state}`, `.max`, `.pending_requests`): connections in use
 * against the most it may open, and requests queued for one. A queue means every connection
 * is in use and requests wait before any SQL runs; after `connectionTimeoutMillis` they fail.
 */
new client.Gauge<PoolLabels>({
  name: 'db_client_connection_count',
  help: 'Connections of the request pool, by state: used (checked out) or idle.',
  labelNames: ['db_client_connection_pool_name', 'db_client_connection_state'],
  registers: [registry],
  collect() {
    this.reset();
    for (const { name, pool } of livePools()) {
      const labels = { db_client_connection_pool_name: name };
      this.set({ ...labels, db_client_connection_state: 'used' }, pool.totalCount - pool.idleCount);
      this.set({ ...labels, db_client_connection_state: 'idle' }, pool.idleCount);
    }
  },
});

new client.Gauge<PoolLabels>({
  name: 'db_client_connection_max',
  help: 'The most connections the request pool opens.',
  labelNames: ['db_client_connection_pool_name'],
  registers: [registry],
  collect() {
    this.reset();
    for (const { name, max } of livePools())
      this.set({ db_client_connection_pool_name: name }, max);
  },
});

new client.Gauge<PoolLabels>({
  name: 'db_client_connection_pending_requests',
  help: 'Requests waiting for a connection of the request pool, all of them being in use.',
  labelNames: ['db_client_connection_pool_name'],
  registers: [registry],
  collect() {
    this.reset();
    for (const { name, pool } of livePools())
      this.set({ db_client_connection_pool_name: name }, pool.waitingCount);
  },
});

/**
 * The pool's name in its metrics: `server.address:server.port/db.namespace`, the form the
 * conventions suggest for a pool without a name of its own. Never the user or password.
 */
export function poolName(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'requests';
  }
}

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/**
 * A pool whose failures to hand out a connection, `pool.query`'s included, say what they are:
 * a database that cannot be reached, or not in time, is `DatabaseUnavailable` (see
 * database-unavailable.ts), which the edge answers 503. Nothing else changes: once the server
 * is back, the next request connects again.
 */
class RequestPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) {
      return super.connect().catch((error: unknown) => {
        throw error instanceof Error ? connectFailure(error) : error;
      });
    }
    super.connect((error, client, done) => callback(error && connectFailure(error), client, done));
  }
}

/**
 * The pool request traffic uses. Every statement on its connections has a timeout, so a slow
 * query or a lock wait ends in an error instead of holding a connection indefinitely. Its
 * connections in use and its queue are on /metrics (`db_client_connection_*`).
 */
export function createPool(connectionString: string, options: PoolOptions): pg.Pool {
  const max = options.maxConnections ?? 10;
  const pool = new RequestPool({
    connectionString,
    max,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    statement_timeout: options.statementTimeoutMs,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (error) =>
    logger.warn({ 'error.message': error.message }, 'idle database client failed'),
  );
  pools.set(poolName(connectionString), { pool, max });
  return pool;
}

const READINESS_TIMEOUT_MS = 1_000;

/**
 * The readiness check, on a one-connection pool of its own with short timeouts: a busy request
 * pool neither delays the probe nor makes the instance look down, and the probe never takes a
 * connection a request is waiting for. Close it when the service stops.
 */
export function databaseCheck(
  connectionString: string,
): ReadinessCheck & { close(): Promise<void> } {
  const pool = new pg.Pool({
    connectionString,
    max: 1,
    connectionTimeoutMillis: READINESS_TIMEOUT_MS,
    statement_timeout: READINESS_TIMEOUT_MS,
  });
  pool.on('error', (error) =>
    logger.warn({ 'error.message': error.message }, 'readiness database client failed'),
  );
  return {
    name: 'database',
    check: async () => void (await pool.query('select 1')),
    close: () => pool.end(),
  };
}

/**
 * Applies the `*.sql` files in `directory` that have not been applied yet, in name order, each
 * in its own transaction. An advisory lock makes concurrent starts of the same service safe.
 */
export async function migrate(pool: pg.Pool, directory: string): Promise<string[]> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    // Migrations are not requests: building an index, or waiting while another instance holds
    // the migration lock, may take longer than any request statement is allowed to.
    await client.query('set statement_timeout = 0');
    await client.query(`select pg_advisory_lock(hashtext('schema_migrations'))`);
    await client.query(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('select name from schema_migrations')).rows.map(
        (row) => row.name,
      ),
    );
    for (const file of files.filter((name) => !done.has(name))) {
      const sql = await readFile(join(directory, file), 'utf8');
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into schema_migrations (name) values ($1)', [file]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${file} failed`, { cause: error });
      }
      applied.push(file);
    }
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('schema_migrations'))`).catch(() => {});
    // Back to the pool's own timeout before the connection serves requests again.
    await client.query('reset statement_timeout').catch(() => {});
    client.release();
  }
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  return applied;
}

export interface DatabaseOptions {
  /** The service's own database: `postgres://user:password@host:port/name`. */
  url: string;
  /** The folder of its `*.sql` migrations, applied before it serves. */
  migrations: string;
  /** The longest any one request statement may run. */
  statementTimeoutMs: number;
  maxConnections?: number;
}

/** A service's database, opened: the request pool, its readiness check, and how to close both. */
export interface Database {
  pool: pg.Pool;
  readiness: ReadinessCheck;
  /** Closes the request pool and the readiness check's pool; run after requests have drained. */
  stop: () => Promise<void>;
}

/**
 * Opens a service's own database the way every service does: the request pool, migrated to the
 * newest schema before the service serves, and a readiness check on a pool of its own.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const pool = createPool(options.url, {
    statementTimeoutMs: options.statementTimeoutMs,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  });
  try {
    await migrate(pool, options.migrations);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const readiness = databaseCheck(options.url);
  return {
    pool,
    readiness,
    stop: async () => {
      try {
        await pool.end();
      } finally {
        await readiness.close();
      }
    },
  };
}
