import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { RunningService } from '@sightline/service';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { startRecordingServer } from '../../../test/support/recording-server.ts';
import { configSchema } from '../src/config.ts';
import { start } from '../src/main.ts';

/** Sends a request with exactly this request target, as curl --request-target does. */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: target, method: 'GET' });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the gateway forwards known routes to its configured services only', () => {
  let users: StartedService;
  let elsewhere: Awaited<ReturnType<typeof startRecordingServer>>;
  let orderUpstream: Awaited<ReturnType<typeof startRecordingServer>>;
  let gateway: RunningService;
  let userId: string;

  before(async () => {
    users = await startInProcess('user-service');
    elsewhere = await startRecordingServer({ status: 200, body: { leaked: true } });
    // Stands at order-service's address so the test can see exactly what arrives there.
    orderUpstream = await startRecordingServer({ status: 200, body: { items: [] } });
    gateway = await start(
      configSchema.parse({
        PORT: '0',
        USER_SERVICE_URL: users.service.url,
        ORDER_SERVICE_URL: orderUpstream.url,
        PAYMENT_SERVICE_URL: orderUpstream.url,
      }),
    );
    const created = await postJson(`${gateway.url}/api/users`, {
      email: `route-${randomUUID()}@example.com`,
      name: 'Rita',
      password: 'long enough password',
    });
    assert.equal(created.status, 201);
    userId = created.body.id as string;
  });
  after(async () => {
    await gateway.stop();
    await users.service.stop();
    await elsewhere.close();
    await orderUpstream.close();
  });

  test('when the request target is absolute-form naming another host, then the configured service answers and that host is never called', async () => {
    const before = elsewhere.requests.length;

    const response = await rawGet(gateway.port, `${elsewhere.url}/api/users/${userId}`);

    assert.equal(response.status, 200);
    assert.equal((JSON.parse(response.body) as { id: string }).id, userId);
    assert.equal(elsewhere.requests.length, before);
  });

  test('when the path starts with //host, then it is no known route and no host is called', async () => {
    const before = elsewhere.requests.length;

    const response = await rawGet(
      gateway.port,
      `//127.0.0.1:${elsewhere.port}/api/users/${userId}`,
    );

    assert.equal(response.status, 404);
    assert.equal(elsewhere.requests.length, before);
  });

  test('when a route parameter is a dot segment, then it is not found rather than forwarded', async () => {
    const response = await rawGet(gateway.port, '/api/users/..');

    assert.equal(response.status, 404);
    assert.equal(
      (JSON.parse(response.body) as { type: string }).type,
      'urn:sightline:problem:not-found',
    );
  });

  test('when someone asks the gateway for the list of all users, then there is no such route', async () => {
    const response = await fetch(`${gateway.url}/api/users`);

    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.doesNotMatch(await response.text(), /@example\.com/);
  });

  test('when an absolute-form target carries a query, then the configured service gets only the path and query', async () => {
    const response = await rawGet(gateway.port, `${elsewhere.url}/api/orders?userId=${userId}`);

    assert.equal(response.status, 200);
    assert.equal(orderUpstream.requests.at(-1)?.url, `/api/orders?userId=${userId}`);
    assert.equal(
      orderUpstream.requests.at(-1)?.headers.host,
      `127.0.0.1:${new URL(orderUpstream.url).port}`,
    );
  });
});
