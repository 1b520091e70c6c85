import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RunningService } from '@sightline/service';
// #region database
import { createTestDatabase, queryDatabase } from '../../../test/support/database.ts';
// #endregion database
import { configSchema } from '../src/config.ts';
import { start } from '../src/main.ts';

describe('POST /api/examples', () => {
  let service: RunningService;
  // #region database
  let databaseUrl: string;
  // #endregion database

  before(async () => {
    // #region database
    databaseUrl = await createTestDatabase('example_service');
    // #endregion database
    service = await start(
      configSchema.parse({
        PORT: '0',
        // #region database
        DATABASE_URL: databaseUrl,
        // #endregion database
      }),
    );
  });
  after(() => service.stop());

  const post = (body: unknown) =>
    fetch(`${service.url}/api/examples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('when the body is valid, then it is created, returned with its id and readable at its location', async () => {
    const response = await post({ name: '  First  ' });

    assert.equal(response.status, 201);
    const created = (await response.json()) as { id: string; name: string };
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.equal(created.name, 'First');
    const location = response.headers.get('location');
    assert.equal(location, `/api/examples/${created.id}`);
    const read = await fetch(`${service.url}${location}`);
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), created);
  });

  // #region database
  test('when it is created, then it is stored in the service database', async () => {
    const response = await post({ name: 'Stored' });
    const { id } = (await response.json()) as { id: string };

    const rows = await queryDatabase<{ name: string }>(
      databaseUrl,
      'select name from examples where id = $1',
      [id],
    );
    assert.deepEqual(rows, [{ name: 'Stored' }]);
  });
  // #endregion database

  test('when the name is missing or blank, then 400 names the field', async () => {
    for (const body of [{}, { name: '   ' }, { name: 42 }]) {
      const response = await post(body);

      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      const problem = (await response.json()) as { type: string; errors: { field: string }[] };
      assert.equal(problem.type, 'urn:sightline:problem:validation');
      assert.deepEqual(
        problem.errors.map((e) => e.field),
        ['name'],
      );
    }
  });

  test('when an id is unknown or malformed, then 404 or 400 as a problem', async () => {
    const unknown = await fetch(`${service.url}/api/examples/${randomUUID()}`);
    assert.equal(unknown.status, 404);
    assert.equal(
      ((await unknown.json()) as { type: string }).type,
      'urn:sightline:problem:example-not-found',
    );

    const malformed = await fetch(`${service.url}/api/examples/not-an-id`);
    assert.equal(malformed.status, 400);
  });
});
