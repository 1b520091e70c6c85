import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { compileErrors, validate } from '@readme/openapi-parser';
import { serviceUrls, spawnService } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import { createTestDatabase } from '../support/database.ts';
import { documentedParameter, OpenApiContract, readDocument } from '../support/openapi-contract.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort } from '../support/ports.ts';
import { System } from '../support/system.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
const DECLINING_CARD = { ...CARD, number: '4000000000000002' };

/**
 * Statuses the document promises that this test cannot cause from outside: 500 an unexpected
 * failure inside a service, 504 on the quick routes a service slower than any timeout the
 * gateway can be given (a sign-up, which hashes a password, is not one of them), 503 on the
 * reading routes a database that stops (the shared test server must stay up).
 */
const NOT_DRIVEN = new Set([
  ...[
    'POST /api/users',
    'GET /api/users/{id}',
    'GET /api/products',
    'POST /api/orders',
    'GET /api/orders',
    'GET /api/orders/{id}',
    'GET /api/payments/{id}',
  ].map((operation) => `${operation} 500`),
  'GET /health/ready 503',
  // An order cancelled after its payment deadline (a day): order-service's
  // create-order.consistency test ages one and retries it.
  'POST /api/orders 409',
  'GET /api/users/{id} 504',
  'GET /api/products 504',
  'GET /api/orders 504',
  'GET /api/orders/{id} 504',
  'GET /api/payments/{id} 504',
  // A service's database stopped under it: database-outage.response.test.ts stops its own
  // PostgreSQL and checks these answers against this document.
  ...[
    'GET /api/users/{id}',
    'GET /api/products',
    'GET /api/orders',
    'GET /api/orders/{id}',
    'GET /api/payments/{id}',
  ].map((operation) => `${operation} 503`),
]);

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

describe('the OpenAPI document, against the real gateway and services', () => {
  const contract = new OpenApiContract();
  let receiver: OtlpReceiver;
  let system: System;

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({ otlpUrl: receiver.url });
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  /** Sends a request to a gateway and fails unless the answer conforms to the document. */
  async function call(
    method: string,
    path: string,
    options: { json?: unknown; body?: string | Buffer; headers?: Record<string, string> } = {},
    gateway = system.url('api-gateway'),
  ): Promise<Answer> {
    const headers = { ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${gateway}${path}`, { method, headers, body });
    const text = await response.text();
    const observed = { status: response.status, headers: response.headers, text };
    const pathOnly = path.split('?')[0] as string;
    assert.deepEqual(
      contract.violations(method, pathOnly, observed),
      [],
      `${method} ${path} answered ${response.status} ${text.slice(0, 500)}`,
    );
    const isJson = /json/.test(response.headers.get('content-type') ?? '');
    return {
      status: response.status,
      headers: response.headers,
      body: isJson ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  const newUser = async () =>
    call('POST', '/api/users', {
      json: { email: `spec-${randomUUID()}@example.com`, name: 'Spec', password: 'long enough' },
    });

  const orderFor = (userId: string, card = CARD) => ({
    userId,
    items: [{ sku: 'SKU-STK-003', quantity: 2 }],
    card,
  });

  /** A fresh Idempotency-Key: every order request carries one. */
  const newKey = () => ({ 'idempotency-key': randomUUID() });

  test('when the document is checked against the OpenAPI 3.1 schema, then it is valid', async () => {
    const result = await validate(readDocument() as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.match(readDocument().openapi, /^3\.1\./);
  });

  test('when GET /openapi.json is asked, then the gateway serves the document in the repository', async () => {
    const served = await call('GET', '/openapi.json');
    assert.equal(served.status, 200);
    assert.deepEqual(served.body, readDocument());
  });

  test('when the health and metrics routes are asked, then they answer as documented', async () => {
    assert.equal((await call('GET', '/health/live')).status, 200);
    assert.equal((await call('GET', '/health/ready')).status, 200);
    assert.equal((await call('GET', '/metrics')).status, 200);
  });

  test('when a user is registered, read, registered again and asked for badly, then each answer is as documented', async () => {
    const created = await newUser();
    assert.equal(created.status, 201);
    const id = created.body.id as string;

    assert.equal((await call('GET', `/api/users/${id}`)).status, 200);
    assert.equal((await call('GET', `/api/users/${randomUUID()}`)).status, 404);
    assert.equal((await call('GET', '/api/users/not-a-uuid')).status, 400);
    assert.equal((await call('GET', '/api/users/%E0%A4%A')).status, 400);

    const again = await call('POST', '/api/users', {
      json: {
        email: String(created.body.email).toUpperCase(),
        name: 'Twin',
        password: 'long enough',
      },
    });
    assert.equal(again.status, 409);

    const invalid = await call('POST', '/api/users', {
      json: { email: 'nope', name: ' ', password: 'short' },
    });
    assert.equal(invalid.status, 400);
    assert.deepEqual((invalid.body.errors as { field: string }[]).map((e) => e.field).sort(), [
      'email',
      'name',
      'password',
    ]);
  });

  test('when a body is not JSON, too deep, does not inflate, too large or oddly encoded, then 400, 413 and 415 are problems with a detail', async () => {
    for (const path of ['/api/users', '/api/orders']) {
      const json = { 'content-type': 'application/json' };
      const malformed = await call('POST', path, { body: '{"email":', headers: json });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.type, 'urn:sightline:problem:malformed-json');

      const huge = await call('POST', path, {
        json: { name: 'x'.repeat(200_000) },
      });
      assert.equal(huge.status, 413);

      const deep = await call('POST', path, {
        body: `{"items":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
        headers: json,
      });
      assert.equal(deep.status, 400);
      assert.equal(deep.body.type, 'urn:sightline:problem:body-too-deep');

      const notGzip = await call('POST', path, {
        body: '{}',
        headers: { ...json, 'content-encoding': 'gzip' },
      });
      assert.equal(notGzip.status, 400);
      assert.equal(notGzip.body.type, 'urn:sightline:problem:bad-request');

      const encoded = await call('POST', path, {
        body: gzipSync('{}'),
        headers: { ...json, 'content-encoding': 'compress' },
      });
      assert.equal(encoded.status, 415);
    }
  });

  test('when products are listed, then the catalog conforms', async () => {
    const products = await call('GET', '/api/products');
    assert.equal(products.status, 200);
    assert.ok((products.body.items as unknown[]).length > 0);
  });

  test('when an order is placed, replayed, read and listed, then each answer is as documented', async () => {
    const userId = (await newUser()).body.id as string;
    const key = randomUUID();

    const placed = await call('POST', '/api/orders', {
      json: orderFor(userId),
      headers: { 'idempotency-key': key },
    });
    assert.equal(placed.status, 201);
    assert.equal(placed.headers.get('idempotent-replayed'), null);

    const replayed = await call('POST', '/api/orders', {
      json: orderFor(userId),
      headers: { 'idempotency-key': key },
    });
    assert.equal(replayed.status, 201);
    assert.equal(replayed.headers.get('idempotent-replayed'), 'true');

    const reused = await call('POST', '/api/orders', {
      json: { ...orderFor(userId), items: [{ sku: 'SKU-MUG-002', quantity: 1 }] },
      headers: { 'idempotency-key': key },
    });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.type, 'urn:sightline:problem:idempotency-key-reused');

    const id = placed.body.id as string;
    assert.equal((await call('GET', `/api/orders/${id}`)).status, 200);
    assert.equal((await call('GET', `/api/orders/${randomUUID()}`)).status, 404);
    assert.equal((await call('GET', '/api/orders/42')).status, 400);

    const listed = await call('GET', `/api/orders?userId=${userId}`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body.items as { id: string }[]).map((o) => o.id),
      [id],
    );
    assert.equal(listed.body.nextCursor, null);
    assert.equal((await call('GET', '/api/orders?userId=junk')).status, 400);
    assert.equal((await call('GET', '/api/orders')).status, 400);

    const paymentId = placed.body.paymentId as string;
    assert.equal((await call('GET', `/api/payments/${paymentId}`)).status, 200);
    assert.equal((await call('GET', `/api/payments/${randomUUID()}`)).status, 404);
    assert.equal((await call('GET', '/api/payments/%20')).status, 400);
    assert.equal((await call('GET', '/api/payments/%C0')).status, 400);
    assert.equal((await call('GET', '/api/orders/%')).status, 400);
  });

  test("when a user's orders are listed a page at a time, then each page, the next through its cursor, the last with nextCursor null, and a bad limit or cursor are as documented", async () => {
    const userId = (await newUser()).body.id as string;
    const placed: string[] = [];
    for (let n = 0; n < 5; n++) {
      const order = await call('POST', '/api/orders', {
        json: orderFor(userId),
        headers: newKey(),
      });
      assert.equal(order.status, 201);
      placed.push(order.body.id as string);
    }
    const newestFirst = placed.toReversed();
    const page = async (query: string) => {
      const answer = await call('GET', `/api/orders?userId=${userId}&limit=2${query}`);
      assert.equal(answer.status, 200);
      return {
        ids: (answer.body.items as { id: string }[]).map((o) => o.id),
        nextCursor: answer.body.nextCursor as string | null,
      };
    };

    const first = await page('');
    const second = await page(`&cursor=${first.nextCursor}`);
    const last = await page(`&cursor=${second.nextCursor}`);

    assert.deepEqual(
      [first.ids, second.ids, last.ids],
      [newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)],
    );
    assert.match(String(first.nextCursor), /^[\w-]+$/);
    assert.equal(last.nextCursor, null);

    const refusals = [
      ...['0', '101', 'many'].map((limit) => ({ query: `limit=${limit}`, field: 'limit' })),
      ...['not-a-cursor', '%25%25'].map((cursor) => ({
        query: `cursor=${cursor}`,
        field: 'cursor',
      })),
    ];
    for (const { query, field } of refusals) {
      const refused = await call('GET', `/api/orders?userId=${userId}&${query}`);
      assert.equal(refused.status, 400, query);
      assert.equal(refused.body.type, 'urn:sightline:problem:validation');
      assert.deepEqual(
        (refused.body.errors as { field: string }[]).map((e) => e.field),
        [field],
        query,
      );
    }
  });

  test('when an order is refused, then 400, 402 and 422 are problems naming what was wrong', async () => {
    const userId = (await newUser()).body.id as string;

    const invalid = await call('POST', '/api/orders', {
      json: { ...orderFor(userId), items: [{ sku: '', quantity: 0 }] },
      headers: newKey(),
    });
    assert.equal(invalid.status, 400);

    const declined = await call('POST', '/api/orders', {
      json: orderFor(userId, DECLINING_CARD),
      headers: newKey(),
    });
    assert.equal(declined.status, 402);
    assert.equal(declined.body.orderStatus, 'payment_declined');

    const unknownUser = await call('POST', '/api/orders', {
      json: orderFor(randomUUID()),
      headers: newKey(),
    });
    assert.equal(unknownUser.status, 422);

    const unknownProduct = await call('POST', '/api/orders', {
      json: { ...orderFor(userId), items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] },
      headers: newKey(),
    });
    assert.equal(unknownProduct.status, 422);
  });

  test('when an order comes without an Idempotency-Key, or with one the document does not allow, then 400 names the header, as documented', async () => {
    const userId = (await newUser()).body.id as string;
    const parameter = documentedParameter('POST', '/api/orders', 'idempotency-key');
    assert.deepEqual([parameter.in, parameter.required], ['header', true]);
    const pattern = new RegExp(parameter.schema?.pattern ?? '');

    for (const key of [undefined, 'k'.repeat(65), 'a b']) {
      assert.ok(key === undefined || !pattern.test(key), key);
      const headers: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key };
      const refused = await call('POST', '/api/orders', { json: orderFor(userId), headers });
      assert.equal(refused.status, 400);
      assert.deepEqual(
        (refused.body.errors as { field: string }[]).map((e) => e.field),
        ['idempotency-key'],
      );
    }
    const longest = `load-${randomUUID()}`.padEnd(64, 'x');
    assert.ok(pattern.test(longest));
    const placed = await call('POST', '/api/orders', {
      json: orderFor(userId),
      headers: { 'idempotency-key': longest },
    });
    assert.equal(placed.status, 201);
    const listed = await call('GET', `/api/orders?userId=${userId}`);
    assert.deepEqual(
      (listed.body.items as { id: string }[]).map((o) => o.id),
      [placed.body.id],
    );

    // The key is the user's own: another user sending it places an order of their own.
    const otherUser = (await newUser()).body.id as string;
    const other = await call('POST', '/api/orders', {
      json: orderFor(otherUser),
      headers: { 'idempotency-key': longest },
    });
    assert.equal(other.status, 201);
    assert.equal(other.headers.get('idempotent-replayed'), null);
    assert.notEqual(other.body.id, placed.body.id);
    assert.equal(other.body.userId, otherUser);
  });

  /** A second gateway in front of the same services, with settings of its own. */
  async function extraGateway(env: Record<string, string>): Promise<{
    url: string;
    stop(): Promise<void>;
  }> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnService(
      'api-gateway',
      {
        PATH: process.env.PATH,
        PORT: String(port),
        ...serviceUrls(system.ports),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        LOG_LEVEL: 'silent',
        ...env,
      },
      'pipe',
    );
    child.stdout?.resume();
    child.stderr?.resume();
    await eventually('the extra gateway to be ready', async () => {
      return (await fetch(`${url}/health/ready`)).ok;
    });
    return {
      url,
      stop: async () => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      },
    };
  }

  describe('when the gateway gives a service less time than it takes', () => {
    let impatient: Awaited<ReturnType<typeof extraGateway>>;

    // Any order takes longer: payment-service's simulated provider alone takes 40 ms.
    before(async () => (impatient = await extraGateway({ UPSTREAM_TIMEOUT_MS: '20' })));
    after(() => impatient.stop());

    test('then an order is answered 504 with a problem naming order-service', async () => {
      const userId = (await newUser()).body.id as string;
      const answer = await call(
        'POST',
        '/api/orders',
        { json: orderFor(userId), headers: newKey() },
        impatient.url,
      );
      assert.equal(answer.status, 504);
      assert.equal(answer.body.upstream, 'order-service');
    });

    test('then a sign-up, whose password hash alone takes longer, is answered 504 naming user-service', async () => {
      const answer = await call(
        'POST',
        '/api/users',
        {
          json: {
            email: `slow-${randomUUID()}@example.com`,
            name: 'Slow',
            password: 'long enough',
          },
        },
        impatient.url,
      );
      assert.equal(answer.status, 504);
      assert.equal(answer.body.upstream, 'user-service');
    });
  });

  describe("when a client goes over the gateway's rate limit", () => {
    let strict: Awaited<ReturnType<typeof extraGateway>>;

    // One request a minute per client: the first passes, every later one is refused.
    before(async () => (strict = await extraGateway({ RATE_LIMIT_MAX: '1' })));
    after(() => strict.stop());

    test('then every route answers 429 as documented, with Retry-After', async () => {
      const userId = (await newUser()).body.id as string;
      const id = randomUUID();
      assert.equal((await call('GET', '/api/products', {}, strict.url)).status, 200);
      const refused = [
        await call(
          'POST',
          '/api/users',
          { json: { email: 'x@example.com', name: 'X', password: 'long enough' } },
          strict.url,
        ),
        await call('GET', `/api/users/${userId}`, {}, strict.url),
        await call('GET', '/api/products', {}, strict.url),
        await call(
          'POST',
          '/api/orders',
          { json: orderFor(userId), headers: newKey() },
          strict.url,
        ),
        await call('GET', `/api/orders?userId=${userId}`, {}, strict.url),
        await call('GET', `/api/orders/${id}`, {}, strict.url),
        await call('GET', `/api/payments/${id}`, {}, strict.url),
        await call('GET', '/openapi.json', {}, strict.url),
      ];
      for (const answer of refused) {
        assert.equal(answer.status, 429);
        assert.match(answer.headers.get('retry-after') ?? '', /^\d+$/);
      }
    });
  });

  describe('when one client signs up more often than the sign-up limit', () => {
    let strict: Awaited<ReturnType<typeof extraGateway>>;

    before(async () => (strict = await extraGateway({ SIGN_UP_RATE_LIMIT_MAX: '1' })));
    after(() => strict.stop());

    test('then its next sign-up answers 429 as documented, with Retry-After', async () => {
      const signUp = () =>
        call(
          'POST',
          '/api/users',
          {
            json: {
              email: `limit-${randomUUID()}@example.com`,
              name: 'L',
              password: 'long enough',
            },
          },
          strict.url,
        );
      assert.equal((await signUp()).status, 201);
      const refused = await signUp();
      assert.equal(refused.status, 429);
      assert.equal(refused.body.type, 'urn:sightline:problem:sign-ups-rate-limited');
      assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    });
  });

  describe('when more sign-ups arrive at once than user-service hashes and queues', () => {
    let busy: Awaited<ReturnType<typeof extraGateway>>;
    let users: ChildProcess;

    // A user-service that hashes one password at a time and lets none wait, behind its own gateway.
    before(async () => {
      const port = await freePort();
      users = spawnService(
        'user-service',
        {
          PATH: process.env.PATH,
          PORT: String(port),
          DATABASE_URL: await createTestDatabase('users'),
          PASSWORD_HASH_CONCURRENCY: '1',
          PASSWORD_HASH_QUEUE_LIMIT: '0',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          LOG_LEVEL: 'silent',
        },
        'ignore',
      );
      const url = `http://127.0.0.1:${port}`;
      await eventually('the one-at-a-time user-service to be ready', async () => {
        return (await fetch(`${url}/health/ready`)).ok;
      });
      busy = await extraGateway({ USER_SERVICE_URL: url, SIGN_UP_RATE_LIMIT_MAX: '100' });
    });
    after(async () => {
      await busy.stop();
      const exited = new Promise((resolve) => users.once('exit', resolve));
      users.kill('SIGTERM');
      await exited;
    });

    test('then those it cannot take answer 503 as documented, with Retry-After', async () => {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () =>
          call(
            'POST',
            '/api/users',
            {
              json: {
                email: `busy-${randomUUID()}@example.com`,
                name: 'B',
                password: 'long enough',
              },
            },
            busy.url,
          ),
        ),
      );
      const refused = answers.filter((answer) => answer.status === 503);
      assert.ok(refused.length > 0, answers.map((answer) => answer.status).join());
      for (const answer of refused) {
        assert.equal(answer.body.type, 'urn:sightline:problem:busy');
        assert.match(answer.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      }
    });
  });

  describe('when the services behind the gateway stop', () => {
    let userId: string;
    let orderId: string;
    let paymentId: string;

    before(async () => {
      userId = (await newUser()).body.id as string;
      const placed = await call('POST', '/api/orders', {
        json: orderFor(userId),
        headers: newKey(),
      });
      orderId = placed.body.id as string;
      paymentId = placed.body.paymentId as string;
    });

    test('then a payment-service outage is 503 for orders and 502 for payments', async () => {
      await system.stopService('payment-service');
      const order = await call('POST', '/api/orders', {
        json: orderFor(userId),
        headers: newKey(),
      });
      assert.equal(order.status, 503);
      assert.equal((await call('GET', `/api/payments/${paymentId}`)).status, 502);
    });

    test('then a user-service outage is 502 for the user routes', async () => {
      await system.stopService('user-service');
      assert.equal((await call('GET', `/api/users/${userId}`)).status, 502);
      const created = await call('POST', '/api/users', {
        json: { email: 'late@example.com', name: 'Late', password: 'long enough' },
      });
      assert.equal(created.status, 502);
    });

    test('then an order-service outage is 502 for the product and order routes', async () => {
      await system.stopService('order-service');
      assert.equal((await call('GET', '/api/products')).status, 502);
      assert.equal((await call('GET', `/api/orders/${orderId}`)).status, 502);
      assert.equal((await call('GET', `/api/orders?userId=${userId}`)).status, 502);
      const order = await call('POST', '/api/orders', {
        json: orderFor(userId),
        headers: newKey(),
      });
      assert.equal(order.status, 502);
    });
  });

  test('when every route has been driven, then every documented status was seen, except those that cannot be caused from outside', () => {
    const unseen = contract
      .documented()
      .filter((s) => !contract.exercised.has(s) && !NOT_DRIVEN.has(s));
    assert.deepEqual(unseen, []);
  });
});
