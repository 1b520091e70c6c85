import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registry } from '@sightline/telemetry';
import { startInProcess, type StartedService } from '../../../test/support/in-process.ts';

/** Input a fuzzer or an attacker sends through the gateway: a 4xx answer, never a 5xx. */
describe('the gateway passing on hostile input (with a real user-service)', () => {
  let users: StartedService;
  let gateway: StartedService;

  before(async () => {
    users = await startInProcess('user-service');
    gateway = await startInProcess('api-gateway', { USER_SERVICE_URL: users.service.url });
  });
  after(async () => {
    await gateway.service.stop();
    await users.service.stop();
  });

  const upstreamFailures = async () =>
    (await registry.getSingleMetric('gateway_upstream_failures_total')?.get())?.values.reduce(
      (sum, { value }) => sum + value,
      0,
    ) ?? 0;

  test('when a JSON body is nested deeper than it can be passed on, then 400 body-too-deep, and the service is not blamed', async () => {
    const depth = 50_000;
    const failuresBefore = await upstreamFailures();

    const response = await fetch(`${gateway.service.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"email":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    });

    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const problem = (await response.json()) as { type: string };
    assert.equal(problem.type, 'urn:sightline:problem:body-too-deep');
    assert.equal(await upstreamFailures(), failuresBefore);
  });

  test('when a JSON body is ordinary, then it reaches the service unchanged', async () => {
    const response = await fetch(`${gateway.service.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'plain@example.com',
        name: 'Ünïcødé 🚀',
        password: 'long enough',
      }),
    });

    assert.equal(response.status, 201);
    assert.equal(((await response.json()) as { name: string }).name, 'Ünïcødé 🚀');
  });
});
