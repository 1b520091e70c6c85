import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { createTestDatabase } from '../../../test/support/database.ts';
import { createPool, databaseCheck } from '../src/database.ts';

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
