import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startInProcess, type StartedService } from '../../../test/support/in-process.ts';

/** Requests that cannot even be read: the client's fault, so 400 problems, never a 500. */
describe('a request the service cannot read (user-service)', () => {
  let users: StartedService;
  before(async () => {
    users = await startInProcess('user-service');
  });
  after(() => users.service.stop());

  test('when a path parameter is not valid percent-encoding, then 400 bad-request problem', async () => {
    const response = await fetch(`${users.service.url}/api/users/%E0%A4%A`);

    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const problem = (await response.json()) as { type: string; detail: string };
    assert.equal(problem.type, 'urn:sightline:problem:bad-request');
    assert.match(problem.detail, /decode/);
  });

  test('when a gzip-encoded body is not gzip, then 400 bad-request problem', async () => {
    const response = await fetch(`${users.service.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"email":"not@gzip.example"}',
    });

    assert.equal(response.status, 400);
    const problem = (await response.json()) as { type: string };
    assert.equal(problem.type, 'urn:sightline:problem:bad-request');
  });
});
