import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPool, migrate, type Pool } from '@sightline/service';
import { createTestDatabase, queryDatabase } from '../../../test/support/database.ts';
import { PostgresOrderRepository } from '../src/data/order-repository.ts';

const MIGRATIONS = fileURLToPath(new URL('../src/data/migrations', import.meta.url));
const PER_USER = '007-idempotency-key-per-user.sql';

/** A directory holding only the migrations that came before keys were scoped per user. */
function earlierMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'order-migrations-'));
  for (const file of readdirSync(MIGRATIONS).filter((name) => name < PER_USER)) {
    cpSync(join(MIGRATIONS, file), join(dir, file));
  }
  return dir;
}

const newOrder = (userId: string, idempotencyKey: string) => ({
  userId,
  items: [{ sku: 'SKU-TEE-001', quantity: 1, unitPriceCents: 2500 }],
  totalCents: 2500,
  currency: 'USD',
  idempotencyKey,
  requestFingerprint: 'after',
});

describe('keys scoped per user, migrating a database that already holds orders', () => {
  const alice = randomUUID();
  const bob = randomUUID();
  let url: string;
  let pool: Pool;
  let repository: PostgresOrderRepository;
  let applied: string[];
  let keyed: string;

  before(async () => {
    url = await createTestDatabase('order_service_migration');
    pool = createPool(url, { statementTimeoutMs: 5_000 });
    repository = new PostgresOrderRepository(pool);
    const earlier = earlierMigrations();
    try {
      await migrate(pool, earlier);
    } finally {
      rmSync(earlier, { recursive: true, force: true });
    }
    // Orders as the service stored them before: one with a key, and some from clients that
    // sent none (two of them for the same user).
    const rows = await queryDatabase<{ id: string }>(
      url,
      `insert into orders (user_id, status, total_cents, currency, idempotency_key, request_fingerprint)
       values ($1, 'paid', 2500, 'USD', 'shared-key', 'before'),
              ($1, 'cancelled', 1400, 'USD', null, 'before'),
              ($1, 'pending', 500, 'USD', null, 'before'),
              ($2, 'paid', 1900, 'USD', null, 'before')
       returning id`,
      [alice, bob],
    );
    keyed = rows[0]!.id;

    applied = await migrate(pool, MIGRATIONS);
  });
  after(() => pool?.end());

  test('when the service migrates, then the migration applies and every order, key-less ones included, is kept as it was', async () => {
    assert.ok(applied.includes(PER_USER), `applied ${applied.join(', ')}`);
    const kept = await queryDatabase<{ user_id: string; status: string; key: string | null }>(
      url,
      `select user_id, status, idempotency_key as key from orders
        where request_fingerprint = 'before' order by total_cents desc`,
    );
    assert.deepEqual(kept, [
      { user_id: alice, status: 'paid', key: 'shared-key' },
      { user_id: bob, status: 'paid', key: null },
      { user_id: alice, status: 'cancelled', key: null },
      { user_id: alice, status: 'pending', key: null },
    ]);
  });

  test('when the user who placed an order before repeats its key, then that order is found and no second one is inserted', async () => {
    const found = await repository.findByIdempotencyKey(alice, 'shared-key');
    assert.equal(found?.order.id, keyed);
    assert.equal(found?.requestFingerprint, 'before');

    assert.equal(await repository.create(newOrder(alice, 'shared-key')), undefined);
  });

  test('when another user sends a key already used by someone else, then they get an order of their own', async () => {
    assert.equal(await repository.findByIdempotencyKey(bob, 'shared-key'), undefined);

    const created = await repository.create(newOrder(bob, 'shared-key'));

    assert.ok(created);
    assert.notEqual(created.id, keyed);
    assert.equal(created.userId, bob);
    assert.equal((await repository.findByIdempotencyKey(bob, 'shared-key'))?.order.id, created.id);
    assert.equal((await repository.findByIdempotencyKey(alice, 'shared-key'))?.order.id, keyed);
  });
});
