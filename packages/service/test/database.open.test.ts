import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { createTestDatabase } from '../../../test/support/database.ts';
import { openDatabase } from '../src/database.ts';

describe('openDatabase', () => {
  let url: string;
  let migrations: string;
  before(async () => {
    url = await createTestDatabase('kit_open');
    migrations = await mkdtemp(join(tmpdir(), 'sightline-migrations-'));
    await writeFile(join(migrations, '001-create-notes.sql'), 'create table notes (id int)');
  });

  test('when opened, then its schema is migrated, it is ready, and once stopped both pools are closed', async () => {
    const database = await openDatabase({ url, migrations, statementTimeoutMs: 1_000 });
    try {
      assert.deepEqual((await database.pool.query('select count(*)::int as n from notes')).rows, [
        { n: 0 },
      ]);
      await database.readiness.check();
      assert.equal(database.readiness.name, 'database');
    } finally {
      await database.stop();
    }
    assert.equal(database.pool.ended, true);
    await assert.rejects(database.readiness.check());
  });

  test('when a migration fails, then opening fails, naming the migration', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'sightline-migrations-'));
    await writeFile(join(broken, '001-broken.sql'), 'create tabel nothing (id int)');
    await assert.rejects(openDatabase({ url, migrations: broken, statementTimeoutMs: 1_000 }), {
      message: 'migration 001-broken.sql failed',
    });
  });
});
