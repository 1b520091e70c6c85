import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { needsRehash, Passwords } from '../src/domain/passwords.ts';
import { WorkPool } from '../src/domain/work-pool.ts';

const passwords = new Passwords(new WorkPool({ concurrency: 2, queueLimit: 8 }));
const hashPassword = (password: string) => passwords.hash(password);
const verifyPassword = (password: string, stored: string) => passwords.verify(password, stored);

const PASSWORD = 'correct horse battery staple';

test('when a password is hashed, then the string names scrypt N=2^17, r=8, p=1 with a 16-byte salt and a 64-byte key', async () => {
  const stored = await hashPassword(PASSWORD);

  const match = /^scrypt\$ln=17,r=8,p=1\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  assert.ok(match, stored);
  assert.equal(Buffer.from(match[1] ?? '', 'base64').length, 16);
  assert.equal(Buffer.from(match[2] ?? '', 'base64').length, 64);
  assert.ok(!stored.includes(PASSWORD));
  assert.equal(needsRehash(stored), false);
});

test('when the same password is hashed twice, then the salts differ, and each verifies only its own password', async () => {
  const [first, second] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);

  assert.notEqual(first, second);
  assert.equal(await verifyPassword(PASSWORD, first), true);
  assert.equal(await verifyPassword(PASSWORD, second), true);
  assert.equal(await verifyPassword('correct horse battery stapler', first), false);
});

test('when a hash was stored in the old format, then it still verifies and is due for a rehash', async () => {
  const salt = randomBytes(16);
  const legacy = `scrypt$${salt.toString('base64')}$${scryptSync(PASSWORD, salt, 32).toString('base64')}`;

  assert.equal(await verifyPassword(PASSWORD, legacy), true);
  assert.equal(await verifyPassword('wrong', legacy), false);
  assert.equal(needsRehash(legacy), true);
});

test('when a stored hash is malformed or asks for absurd parameters, then nothing verifies against it', async () => {
  for (const stored of ['', 'plain', 'scrypt$ln=40,r=8,p=1$AAAA$AAAA', 'bcrypt$x$y']) {
    assert.equal(await verifyPassword(PASSWORD, stored), false, stored);
  }
});

test('when a password is being hashed, then the event loop keeps turning', async () => {
  let ticks = 0;
  let hashing = true;
  const ticking = (async () => {
    while (hashing) {
      await sleep(5);
      ticks++;
    }
  })();

  const started = performance.now();
  await hashPassword(PASSWORD);
  const elapsed = performance.now() - started;
  hashing = false;
  await ticking;

  // Blocking for `elapsed` ms would allow no tick at all.
  assert.ok(ticks >= 3, `only ${ticks} ticks in ${Math.round(elapsed)} ms of hashing`);
});
