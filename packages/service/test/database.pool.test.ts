import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { createTestDatabase } from '../../../test/support/database.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { createPool, databaseCheck, migrate, poolName } from '../src/database.ts';
import { registry } from '@sightline/telemetry';

/** This pool's samples on /metrics, as `name{other labels} value`, in the order they come. */
async function poolSamples(url: string): Promise<string[]> {
  const pool = `db_client_connection_pool_name="${poolName(url)}"`;
  return (await registry.metrics())
    .split('\n')
    .filter((line) => line.startsWith('db_client_connection_') && line.includes(pool))
    .map((line) => {
      const [, name, labels = '', value] = /^(\w+)\{(.*)\} (\S+)$/.exec(line) ?? [];
      const others = labels
        .split(',')
        .filter((label) => label !== pool && !label.startsWith('service_name='));
      return `${name}${others.length > 0 ? `{${others.join(',')}}` : ''} ${value}`;
    });
}

describe('database pools', () => {
  let url: string;
  before(async () => {
    url = await createTestDatabase('kit_pools');
  });

  test('when a statement runs longer than the statement timeout, then PostgreSQL cancels it', async () => {
    const pool = createPool(url, { statementTimeoutMs: 100 });
    try {
      await assert.rejects(pool.query('select pg_sleep(5)'), { code: '57014' });
      assert.deepEqual((await pool.query('select 1 as one')).rows, [{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  test('when another instance holds the migration lock for longer than the statement timeout, then migrating waits for it, and the pool keeps its timeout', async () => {
    const migrations = await mkdtemp(join(tmpdir(), 'sightline-migrations-'));
    await writeFile(join(migrations, '001-create-things.sql'), 'create table things (id int)');
    const other = createPool(url, { statementTimeoutMs: 0, maxConnections: 1 });
    const pool = createPool(url, { statementTimeoutMs: 100, maxConnections: 1 });
    const holder = await other.connect();
    try {
      await holder.query(`select pg_advisory_lock(hashtext('schema_migrations'))`);
      const migrating = migrate(pool, migrations);
      // Seen waiting for the lock for three times the statement timeout.
      await eventually('the migration to wait on the lock past the timeout', async () => {
        const { rows } = await holder.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity
            where wait_event = 'advisory' and now() - query_start > interval '300 milliseconds'`,
        );
        return Number(rows[0]?.n) > 0;
      });
      await holder.query(`select pg_advisory_unlock(hashtext('schema_migrations'))`);

      assert.deepEqual(await migrating, ['001-create-things.sql']);
      await assert.rejects(pool.query('select pg_sleep(5)'), { code: '57014' });
    } finally {
      holder.release();
      await pool.end();
      await other.end();
    }
  });

  describe('when every connection of the request pool is taken', () => {
    let pool: pg.Pool;
    let taken: pg.PoolClient[];
    before(async () => {
      pool = createPool(url, { statementTimeoutMs: 1_000, maxConnections: 2 });
      taken = [await pool.connect(), await pool.connect()];
    });
    after(async () => {
      for (const client of taken) client.release();
      await pool.end();
    });

    test('then the readiness check still answers, on its own connection', async () => {
      const readiness = databaseCheck(url);
      try {
        const started = Date.now();
        await readiness.check();
        assert.ok(Date.now() - started < 1_000);
        assert.equal(pool.waitingCount, 0);
      } finally {
        await readiness.close();
      }
    });
  });

  describe('when every connection of the request pool is in use and a query waits for one', () => {
    let pool: pg.Pool;
    let taken: pg.PoolClient[];
    before(async () => {
      pool = createPool(url, { statementTimeoutMs: 1_000, maxConnections: 2 });
      taken = [await pool.connect(), await pool.connect()];
    });
    after(async () => {
      await pool.end();
    });

    test('then /metrics shows the pool full and the query queued, and the queue empty once a connection is back', async () => {
      const waiting = pool.query('select 1 as one');

      assert.deepEqual(await poolSamples(url), [
        'db_client_connection_count{db_client_connection_state="used"} 2',
        'db_client_connection_count{db_client_connection_state="idle"} 0',
        'db_client_connection_max 2',
        'db_client_connection_pending_requests 1',
      ]);
      for (const client of taken) client.release();
      assert.deepEqual((await waiting).rows, [{ one: 1 }]);
      assert.ok((await poolSamples(url)).includes('db_client_connection_pending_requests 0'));
    });

    test('then the pool name holds its address and database, never its credentials', () => {
      assert.equal(
        poolName('postgres://orders:s3cret@order-db:5433/orders'),
        'order-db:5433/orders',
      );
      assert.equal(poolName('postgres://u:p@localhost/users'), 'localhost:5432/users');
    });
  });
});
