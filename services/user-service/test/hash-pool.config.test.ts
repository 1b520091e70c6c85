import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema, defaultHashConcurrency, hashPoolSettings } from '../src/config.ts';

const MiB = 1024 * 1024;
const DATABASE_URL = 'postgres://localhost/users';

test('when nothing limits memory, then one hash runs per core, one fewer than the thread pool at most', () => {
  assert.equal(defaultHashConcurrency(2, 4, Infinity), 2);
  assert.equal(defaultHashConcurrency(16, 4, Infinity), 3);
  assert.equal(defaultHashConcurrency(16, 9, Infinity), 8);
  assert.equal(defaultHashConcurrency(1, 4, Infinity), 1);
});

test("when the process runs under compose's 336 MiB, then one hash runs at a time, however many cores", () => {
  assert.equal(defaultHashConcurrency(8, 4, 336 * MiB), 1);
  assert.equal(defaultHashConcurrency(8, 4, 600 * MiB), 3);
  // Even a limit too small for one hash leaves sign-ups possible, one at a time.
  assert.equal(defaultHashConcurrency(8, 4, 200 * MiB), 1);
});

test('when the queue limit is unset, then two may wait per running hash; set, it is taken as given, 0 included', () => {
  const settings = (env: Record<string, string>) =>
    hashPoolSettings(configSchema.parse({ DATABASE_URL, ...env }));

  assert.deepEqual(settings({ PASSWORD_HASH_CONCURRENCY: '3' }), { concurrency: 3, queueLimit: 6 });
  assert.deepEqual(settings({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_LIMIT: '0' }), {
    concurrency: 1,
    queueLimit: 0,
  });
  const refused = configSchema.safeParse({ DATABASE_URL, PASSWORD_HASH_CONCURRENCY: '0' });
  assert.deepEqual(
    refused.error?.issues.map((issue) => issue.path.join('.')),
    ['PASSWORD_HASH_CONCURRENCY'],
  );
});
