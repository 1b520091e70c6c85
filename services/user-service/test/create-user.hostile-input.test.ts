import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryDatabase } from '../../../test/support/database.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';

/** Input a fuzzer sends (Schemathesis, `npm run fuzz`): each must be a 4xx answer, never a 500. */
describe('POST /api/users with hostile input', () => {
  let users: StartedService;
  before(async () => {
    users = await startInProcess('user-service');
  });
  after(() => users.service.stop());

  test('when the name contains a NUL character, then 400 names the name and nothing is stored', async () => {
    const response = await postJson(`${users.service.url}/api/users`, {
      email: 'nul@example.com',
      name: 'Nul\u0000l',
      password: 'long enough',
    });

    assert.equal(response.status, 400);
    assert.deepEqual(
      (response.body.errors as { field: string }[]).map((e) => e.field),
      ['name'],
    );
    const rows = await queryDatabase(users.databaseUrl, 'select id from users');
    assert.equal(rows.length, 0);
  });
});
