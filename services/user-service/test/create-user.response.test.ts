import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningService } from '@sightline/service';
import { createTestDatabase, queryDatabase } from '../../../test/support/database.ts';
import { configSchema } from '../src/config.ts';
import { start } from '../src/main.ts';

describe('POST /api/users', () => {
  let service: RunningService;
  let databaseUrl: string;

  before(async () => {
    databaseUrl = await createTestDatabase('users');
    service = await start(configSchema.parse({ PORT: '0', DATABASE_URL: databaseUrl }));
  });
  after(() => service.stop());

  const post = (body: unknown) =>
    fetch(`${service.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('when the body is valid, then the user is created and returned with its id, without the password', async () => {
    const response = await post({
      email: 'ada@example.com',
      name: 'Ada',
      password: 'correct horse',
    });

    assert.equal(response.status, 201);
    const user = (await response.json()) as Record<string, unknown>;
    assert.match(String(user.id), /^[0-9a-f-]{36}$/);
    assert.equal(user.email, 'ada@example.com');
    assert.equal(response.headers.get('location'), `/api/users/${String(user.id)}`);
    assert.ok(!('password' in user) && !('passwordHash' in user));
    const fetched = await fetch(`${service.url}/api/users/${String(user.id)}`);
    assert.equal(((await fetched.json()) as { name: string }).name, 'Ada');
  });

  test('when a user is created, then only a self-describing scrypt hash of the password is stored', async () => {
    const response = await post({
      email: 'hash@example.com',
      name: 'Hal',
      password: 'hunter2 hunter2',
    });
    const { id } = (await response.json()) as { id: string };

    const [row] = await queryDatabase<{ password_hash: string }>(
      databaseUrl,
      'select password_hash from users where id = $1',
      [id],
    );
    assert.match(row?.password_hash ?? '', /^scrypt\$ln=17,r=8,p=1\$[^$]+\$[^$]+$/);
    assert.ok(!row?.password_hash.includes('hunter2'));
  });

  test('when the email is already registered in another case, then 409 names the email and the first user is kept', async () => {
    await post({ email: 'grace@example.com', name: 'Grace', password: 'first password' });

    const response = await post({
      email: 'GRACE@example.com',
      name: 'Impostor',
      password: 'second password',
    });

    assert.equal(response.status, 409);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const problem = (await response.json()) as { errors: { field: string }[] };
    assert.deepEqual(
      problem.errors.map((e) => e.field),
      ['email'],
    );
    const rows = await queryDatabase<{ name: string }>(
      databaseUrl,
      `select name from users where lower(email) = 'grace@example.com'`,
    );
    assert.deepEqual(rows, [{ name: 'Grace' }]);
  });

  test('when fields are invalid, then 400 names every bad field and nothing is stored', async () => {
    const response = await post({ email: 'not-an-email', name: '', password: 'short' });

    assert.equal(response.status, 400);
    const problem = (await response.json()) as {
      type: string;
      status: number;
      errors: { field: string }[];
    };
    assert.equal(problem.status, 400);
    assert.equal(problem.type, 'urn:sightline:problem:validation');
    assert.deepEqual(problem.errors.map((e) => e.field).sort(), ['email', 'name', 'password']);
    const rows = await queryDatabase(
      databaseUrl,
      `select 1 from users where email = 'not-an-email'`,
    );
    assert.equal(rows.length, 0);
  });

  test('when the body is not JSON, then 400 says so as a problem', async () => {
    const response = await fetch(`${service.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });

    assert.equal(response.status, 400);
    assert.equal(
      ((await response.json()) as { type: string }).type,
      'urn:sightline:problem:malformed-json',
    );
  });

  test('when a user id is unknown, then 404 problem', async () => {
    const response = await fetch(`${service.url}/api/users/00000000-0000-4000-8000-000000000000`);

    assert.equal(response.status, 404);
    assert.equal(
      ((await response.json()) as { type: string }).type,
      'urn:sightline:problem:user-not-found',
    );
  });
});
