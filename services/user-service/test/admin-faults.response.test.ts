import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { eventually } from '../../../test/support/eventually.ts';
import { startInProcess, type StartedService } from '../../../test/support/in-process.ts';

// Each test file runs in a process of its own, named after its package: this one is
// user-service, so the admin API serves user-service's faults (faults/flags.json).
const TOKEN = randomBytes(24).toString('base64url');

/** A call to the admin API: `path` follows `/admin/faults`; the rest is as `fetch` takes it. */
interface AdminCall extends RequestInit {
  method: string;
  path?: string;
}

function admin(service: StartedService, { path = '', ...init }: AdminCall) {
  return fetch(`${service.service.url}/admin/faults${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}

interface FaultList {
  faults: { name: string; on: boolean; options?: Record<string, unknown>; by?: string }[];
}

async function metric(service: StartedService, line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`${service.service.url}/metrics`)).text();
  const match = text.split('\n').find((l) => line.test(l));
  return match === undefined ? undefined : Number(match.split(' ').at(-1));
}

describe('the admin API for faults', () => {
  let users: StartedService;
  let closed: StartedService;

  before(async () => {
    users = await startInProcess('user-service', { ADMIN_TOKENS: `trainer:${TOKEN}` });
    closed = await startInProcess('user-service');
  });
  afterEach(async () => {
    await admin(users, { method: 'DELETE' });
  });
  after(async () => {
    await users.service.stop();
    await closed.service.stop();
  });

  test('when no token is configured, then /admin/faults does not exist (404), token or not', async () => {
    assert.equal((await admin(closed, { method: 'GET' })).status, 404);
    assert.equal(
      (await admin(closed, { method: 'PUT', path: '/userServiceLatency', body: '{}' })).status,
      404,
    );
  });

  test('when no token is sent, then 401 problem+json with a Bearer challenge, and nothing changes', async () => {
    const response = await fetch(`${users.service.url}/admin/faults/userServiceLatency`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    assert.equal(response.status, 401);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(String(response.headers.get('www-authenticate')), /^Bearer /);
    const list = (await (await admin(users, { method: 'GET' })).json()) as FaultList;
    assert.ok(list.faults.every((fault) => !fault.on));
  });

  test('when a wrong token is sent, then 401', async () => {
    const response = await admin(users, {
      method: 'GET',
      headers: { authorization: `Bearer ${TOKEN.slice(1)}x` },
    });
    assert.equal(response.status, 401);
  });

  test("when the token is right, then the list names this service's faults, all off", async () => {
    const response = await admin(users, { method: 'GET' });

    assert.equal(response.status, 200);
    const list = (await response.json()) as FaultList;
    assert.deepEqual(
      list.faults.map((fault) => [fault.name, fault.on]),
      [
        ['userServiceLatency', false],
        ['memoryLeak', false],
      ],
    );
  });

  test('when a fault is switched on without options, then it takes the flag file defaults and the token name', async () => {
    const response = await admin(users, { method: 'PUT', path: '/userServiceLatency', body: '{}' });

    assert.equal(response.status, 200);
    const fault = (await response.json()) as FaultList['faults'][number] & { until: string };
    assert.deepEqual(fault.options, { delayMs: 500, jitterMs: 200 });
    assert.equal(fault.by, 'trainer');
    const minutesLeft = (Date.parse(fault.until) - Date.now()) / 60_000;
    assert.ok(minutesLeft > 9.9 && minutesLeft <= 10, `until ${fault.until}`);
    assert.equal(await metric(users, /^fault_active\{.*fault="userServiceLatency"/), 1);
    assert.equal(await metric(users, /^fault_active\{.*fault="memoryLeak"/), 0);
  });

  test('when a fault is switched on for 200 ms, then it is gone without anyone clearing it', async () => {
    const set = await admin(users, { method: 'PUT', path: '/memoryLeak', body: '{"for":"200ms"}' });
    assert.equal(set.status, 200);

    await eventually('memoryLeak to expire', async () => {
      const list = (await (await admin(users, { method: 'GET' })).json()) as FaultList;
      return list.faults.every((fault) => !fault.on);
    });
    assert.equal(await metric(users, /^fault_active\{.*fault="memoryLeak"/), 0);
  });

  test('when options are out of bounds or the lifetime is over an hour, then 400 names the field', async () => {
    const bounds = await admin(users, {
      method: 'PUT',
      path: '/userServiceLatency',
      body: '{"delayMs":999999}',
    });
    assert.equal(bounds.status, 400);
    assert.deepEqual(
      ((await bounds.json()) as { errors: { field: string }[] }).errors.map((e) => e.field),
      ['delayMs'],
    );

    const lifetime = await admin(users, {
      method: 'PUT',
      path: '/userServiceLatency',
      body: '{"for":"2h"}',
    });
    assert.equal(lifetime.status, 400);
    assert.deepEqual(
      ((await lifetime.json()) as { errors: { field: string }[] }).errors.map((e) => e.field),
      ['for'],
    );
  });

  test("when the fault is another service's, then 404 and nothing is switched on", async () => {
    const response = await admin(users, { method: 'PUT', path: '/slowDatabase', body: '{}' });

    assert.equal(response.status, 404);
    assert.equal(
      ((await response.json()) as { type: string }).type,
      'urn:sightline:problem:fault-not-found',
    );
  });

  test('when a fault is cleared, then it is off at once and its gauge is 0', async () => {
    await admin(users, {
      method: 'PUT',
      path: '/userServiceLatency',
      body: '{"delayMs":0,"jitterMs":0}',
    });

    const response = await admin(users, { method: 'DELETE', path: '/userServiceLatency' });

    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { on: boolean }).on, false);
    assert.equal(await metric(users, /^fault_active\{.*fault="userServiceLatency"/), 0);
  });
});
