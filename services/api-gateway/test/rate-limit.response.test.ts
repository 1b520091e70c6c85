import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningService } from '@sightline/service';
import { startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { configSchema } from '../src/config.ts';
import { start } from '../src/main.ts';

const UNKNOWN_USER = '/api/users/00000000-0000-4000-8000-000000000000';

/** Refusals counted for one limit (`requests` or `sign_ups`), every method together. */
async function rateLimitedCount(gateway: RunningService, limit = 'requests'): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('gateway_rate_limited_total{') && l.includes(`limit="${limit}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

/** A sign-up user-service refuses at once (400): counted by the gateway, never hashed. */
const signUp = (gateway: RunningService, path = '/api/users', headers = {}) =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email: 'not-an-email' }),
  });

describe('the gateway limits each client', () => {
  let users: StartedService;
  const gateways: RunningService[] = [];
  const startGateway = async (env: Record<string, string>) => {
    const gateway = await start(
      configSchema.parse({ PORT: '0', USER_SERVICE_URL: users.service.url, ...env }),
    );
    gateways.push(gateway);
    return gateway;
  };

  before(async () => {
    users = await startInProcess('user-service');
  });
  after(async () => {
    for (const gateway of gateways) await gateway.stop();
    await users.service.stop();
  });

  test('when a client exceeds the limit, then it gets a 429 problem with Retry-After, counted in a metric', async () => {
    const gateway = await startGateway({ RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '60000' });
    const counted = await rateLimitedCount(gateway);

    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await fetch(`${gateway.url}${UNKNOWN_USER}`)).status);
    const refused = await fetch(`${gateway.url}${UNKNOWN_USER}`);

    assert.deepEqual(statuses, [404, 404, 429]);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'no Retry-After');
    const problem = (await refused.json()) as { type: string; status: number };
    assert.equal(problem.type, 'urn:sightline:problem:rate-limited');
    assert.equal(problem.status, 429);
    assert.equal(await rateLimitedCount(gateway), counted + 2);
    // Probes are not the client's traffic: readiness still answers.
    assert.equal((await fetch(`${gateway.url}/health/ready`)).status, 200);
  });

  test('when a client sends X-Forwarded-For and no proxy is trusted, then it is still limited as itself', async () => {
    const gateway = await startGateway({ RATE_LIMIT_MAX: '2' });

    const statuses = [];
    for (const forwardedFor of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      const response = await fetch(`${gateway.url}${UNKNOWN_USER}`, {
        headers: { 'x-forwarded-for': forwardedFor },
      });
      statuses.push(response.status);
    }

    assert.deepEqual(statuses, [404, 404, 429]);
  });

  test('when the proxy in front is trusted, then each forwarded client has its own limit', async () => {
    const gateway = await startGateway({ RATE_LIMIT_MAX: '2', TRUST_PROXY: 'loopback' });

    const statuses = [];
    for (const forwardedFor of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      const response = await fetch(`${gateway.url}${UNKNOWN_USER}`, {
        headers: { 'x-forwarded-for': forwardedFor },
      });
      statuses.push(response.status);
    }

    assert.deepEqual(statuses, [404, 404, 404]);
  });

  test('when a client signs up more often than the sign-up limit, then it gets a 429 problem with Retry-After, and its other requests still pass', async () => {
    const gateway = await startGateway({ SIGN_UP_RATE_LIMIT_MAX: '3' });
    const counted = await rateLimitedCount(gateway, 'sign_ups');

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await signUp(gateway)).status);
    const refused = await signUp(gateway);

    assert.deepEqual(statuses, [400, 400, 400]);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'no Retry-After');
    const problem = (await refused.json()) as { type: string; detail: string };
    assert.equal(problem.type, 'urn:sightline:problem:sign-ups-rate-limited');
    assert.match(problem.detail, /More than 3 sign-ups in 60 s/);
    assert.equal(await rateLimitedCount(gateway, 'sign_ups'), counted + 1);
    // Only sign-ups are limited so tightly.
    assert.equal((await fetch(`${gateway.url}${UNKNOWN_USER}`)).status, 404);
  });

  test('when a sign-up spells the path differently, then it counts against the same sign-up limit', async () => {
    const gateway = await startGateway({ SIGN_UP_RATE_LIMIT_MAX: '2' });

    const statuses = [];
    for (const path of ['/api/users', '/API/Users/', '/api/users?x=1'])
      statuses.push((await signUp(gateway, path)).status);

    assert.deepEqual(statuses, [400, 400, 429]);
  });

  test('when a client sends X-Forwarded-For and no proxy is trusted, then its sign-ups are still limited as itself', async () => {
    const gateway = await startGateway({ SIGN_UP_RATE_LIMIT_MAX: '2' });

    const statuses = [];
    for (const forwardedFor of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      statuses.push(
        (await signUp(gateway, '/api/users', { 'x-forwarded-for': forwardedFor })).status,
      );
    }

    assert.deepEqual(statuses, [400, 400, 429]);
  });

  test('when the proxy in front is trusted, then each forwarded client has its own sign-up limit', async () => {
    const gateway = await startGateway({ SIGN_UP_RATE_LIMIT_MAX: '2', TRUST_PROXY: 'loopback' });

    const statuses = [];
    for (const forwardedFor of ['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.1']) {
      statuses.push(
        (await signUp(gateway, '/api/users', { 'x-forwarded-for': forwardedFor })).status,
      );
    }

    assert.deepEqual(statuses, [400, 400, 400, 429]);
  });

  test('when TRUST_PROXY would trust everyone, then the config is refused', () => {
    const result = configSchema.safeParse({ TRUST_PROXY: 'true' });

    assert.equal(result.success, false);
    assert.deepEqual(
      result.error?.issues.map((issue) => issue.path.join('.')),
      ['TRUST_PROXY'],
    );
  });
});
