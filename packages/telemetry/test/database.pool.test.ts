import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { createTestDatabase } from '../../../test/support/database.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { createPool, databaseCheck, migrate } from '../src/database.ts';

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
});
