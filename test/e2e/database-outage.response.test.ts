import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  fromUrl,
  startEmbeddedPostgres,
  type EmbeddedPostgresServer,
} from '../../infra/dev/embedded-postgres.ts';
import { queryDatabase } from '../../infra/dev/query.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { OpenApiContract } from '../support/openapi-contract.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort } from '../support/ports.ts';
import { newTraceparent, System } from '../support/system.ts';

const ERROR = 2;
const SERVER = 2;
const SERVICES_WITH_A_DATABASE = ['user-service', 'order-service', 'payment-service'] as const;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * PostgreSQL goes away under running services and comes back. The test runs its own server
 * (its own port and data directory, not the run's shared one), so stopping it touches no other
 * test; the services connect as a role whose password is made here, so the test can tell that
 * no answer, log line or span ever carries it.
 */
describe('the database stops under running services, then starts again', () => {
  const contract = new OpenApiContract();
  const password = `pw-${randomBytes(12).toString('hex')}`;
  let askedDataDir: string;
  let port: number;
  let postgres: EmbeddedPostgresServer;
  let receiver: OtlpReceiver;
  let system: System;
  let gateway: string;
  let userId: string;
  let orderId: string;
  let paymentId: string;
  let storedUser: Record<string, unknown>;
  let storedOrder: Record<string, unknown>;
  const refusedEmail = `refused-${randomUUID()}@example.com`;

  async function send(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers = { ...options.headers };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const response = await fetch(`${gateway}${path}`, { method, headers, body });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }
  const get = (path: string, headers: Record<string, string> = {}) =>
    send('GET', path, { headers });

  /** Fails unless the answer is what the API document promises for this route and status. */
  function conforms(method: string, path: string, answer: Answer): void {
    assert.deepEqual(contract.violations(method, path.split('?')[0] as string, answer), []);
  }

  const startPostgres = (persistent: boolean) =>
    startEmbeddedPostgres({ dataDir: askedDataDir, port, persistent, fast: true });

  before(async () => {
    askedDataDir = join(await mkdtemp(join(tmpdir(), 'sightline-outage-pg-')), 'data');
    port = await freePort();
    postgres = await startPostgres(true);
    await queryDatabase(
      postgres.url('postgres'),
      `create role sightline_outage login createdb password '${password}'`,
    );
    receiver = await startOtlpReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      postgres: fromUrl(`postgres://sightline_outage:${password}@127.0.0.1:${port}`),
    });
    gateway = system.url('api-gateway');

    const user = await postJson(`${gateway}/api/users`, {
      email: `outage-${randomUUID()}@example.com`,
      name: 'Olga',
      password: 'long enough password',
    });
    assert.equal(user.status, 201);
    storedUser = user.body;
    userId = user.body.id as string;
    const order = await postJson(
      `${gateway}/api/orders`,
      {
        userId,
        items: [{ sku: 'SKU-MUG-002', quantity: 2 }],
        card: { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' },
      },
      { 'idempotency-key': randomUUID() },
    );
    assert.equal(order.status, 201);
    assert.equal(order.body.status, 'paid');
    storedOrder = order.body;
    orderId = order.body.id as string;
    paymentId = order.body.paymentId as string;

    // A fast shutdown, as a restart or a failover does it: sessions end, the port closes.
    await postgres.stop();
  });

  after(async () => {
    await system?.stop();
    await receiver?.close();
    await postgres?.stop();
    if (postgres) await rm(postgres.dataDir, { recursive: true, force: true });
    if (askedDataDir) await rm(join(askedDataDir, '..'), { recursive: true, force: true });
  });

  describe('while it is stopped', () => {
    let traceId: string;
    let userAnswer: Answer;

    before(async () => {
      const parent = newTraceparent();
      traceId = parent.traceId;
      userAnswer = await get(`/api/users/${userId}`, { traceparent: parent.traceparent });
    });

    test('then a route of each service answers 503 database-unavailable with Retry-After, through the gateway, as documented', async () => {
      const answers: [string, Answer][] = [[`/api/users/${userId}`, userAnswer]];
      for (const path of [
        '/api/products',
        `/api/orders/${orderId}`,
        `/api/orders?userId=${userId}`,
        `/api/payments/${paymentId}`,
      ]) {
        answers.push([path, await get(path)]);
      }
      for (const [path, answer] of answers) {
        assert.equal(answer.status, 503, `${path}: ${answer.text}`);
        assert.equal(
          answer.headers.get('content-type'),
          'application/problem+json; charset=utf-8',
          path,
        );
        assert.equal(answer.headers.get('retry-after'), '5', path);
        const problem = JSON.parse(answer.text) as Record<string, unknown>;
        assert.equal(problem.type, 'urn:sightline:problem:database-unavailable', path);
        assert.equal(problem.status, 503, path);
        assert.match(String(problem.detail), /database/, path);
        conforms('GET', path, answer);
      }
    });

    test('then a sign-up answers 503 database-unavailable with Retry-After, as documented', async () => {
      const answer = await send('POST', '/api/users', {
        json: { email: refusedEmail, name: 'Dora', password: 'long enough password' },
      });
      assert.equal(answer.status, 503, answer.text);
      const problem = JSON.parse(answer.text) as { type: string };
      assert.equal(problem.type, 'urn:sightline:problem:database-unavailable');
      assert.equal(answer.headers.get('retry-after'), '5');
      conforms('POST', '/api/users', answer);
    });

    test('then an order answers 503, as documented', async () => {
      const answer = await send('POST', '/api/orders', {
        json: {
          userId,
          items: [{ sku: 'SKU-MUG-002', quantity: 1 }],
          card: { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' },
        },
        headers: { 'idempotency-key': randomUUID() },
      });
      assert.equal(answer.status, 503, answer.text);
      conforms('POST', '/api/orders', answer);
    });

    test('then no answer names the host, the port, SQL, the driver or the credentials', async () => {
      for (const text of [userAnswer.text, (await get(`/api/orders/${orderId}`)).text]) {
        for (const secret of [
          `:${port}`,
          '127.0.0.1',
          'ECONNREFUSED',
          'select',
          'sightline_outage',
          password,
        ]) {
          assert.ok(!text.includes(secret), `${text} names ${secret}`);
        }
      }
    });

    test('then each service with a database says it is not ready', async () => {
      for (const service of SERVICES_WITH_A_DATABASE) {
        const response = await fetch(`${system.url(service)}/health/ready`);
        const body = (await response.json()) as { status: string; checks: { database: string } };
        assert.equal(response.status, 503, service);
        assert.equal(body.status, 'unavailable', service);
        assert.notEqual(body.checks.database, 'ok', service);
      }
    });

    test('then the failure is still an error: one error log line with the trace id, and the server span ERROR with the exception', async () => {
      await eventually('the gateway request log line', () =>
        system.logs('api-gateway').some((l) => l.trace_id === traceId),
      );
      const errors = system.logs().filter((l) => l.trace_id === traceId && 'error.stack' in l);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      const [line] = errors as [(typeof errors)[number]];
      assert.equal(line.service, 'user-service');
      assert.equal(line.level, 'error');
      assert.equal(line['error.type'], 'DatabaseUnavailable');
      assert.match(String(line['error.message']), /ECONNREFUSED/);
      const span = await eventually('the user-service server span', () =>
        receiver.spans.find(
          (s) => s.traceId === traceId && s.service === 'user-service' && s.kind === SERVER,
        ),
      );
      assert.equal(span.statusCode, ERROR);
      const exception = span.events.find((e) => e.name === 'exception');
      assert.equal(exception?.attributes['exception.type'], 'DatabaseUnavailable');
    });
  });

  describe('when it is started again on the same port and data', () => {
    before(async () => {
      // This time it is removed with its data when the test ends.
      postgres = await startPostgres(false);
    });

    test('then every service answers 2xx again by itself, with the data stored before intact and nothing from the refused sign-up', async () => {
      const user = await eventually('user-service to read its database again', async () => {
        const answer = await get(`/api/users/${userId}`);
        return answer.status === 200 && (JSON.parse(answer.text) as Record<string, unknown>);
      });
      assert.deepEqual(user, storedUser);
      const order = await eventually('order-service to read its database again', async () => {
        const answer = await get(`/api/orders/${orderId}`);
        return answer.status === 200 && (JSON.parse(answer.text) as Record<string, unknown>);
      });
      assert.deepEqual(order, storedOrder);
      const payment = await eventually('payment-service to read its database again', async () => {
        const answer = await get(`/api/payments/${paymentId}`);
        return answer.status === 200 && (JSON.parse(answer.text) as Record<string, unknown>);
      });
      assert.equal(payment.orderId, orderId);
      assert.equal(payment.status, 'succeeded');

      const another = await postJson(`${gateway}/api/users`, {
        email: `after-${randomUUID()}@example.com`,
        name: 'Ada',
        password: 'long enough password',
      });
      assert.equal(another.status, 201);
      const refused = await queryDatabase(
        system.databaseUrl('user-service'),
        'select id from users where email = $1',
        [refusedEmail],
      );
      assert.deepEqual(refused, [], 'the sign-up refused during the outage was stored');
      for (const service of SERVICES_WITH_A_DATABASE) {
        assert.equal((await fetch(`${system.url(service)}/health/ready`)).status, 200, service);
      }
    });

    test('then no service was restarted: each said "listening" once', () => {
      for (const service of SERVICES_WITH_A_DATABASE) {
        assert.equal(system.logs(service).filter((l) => l.msg === 'listening').length, 1, service);
      }
    });

    test('then no log line, span or log record of any service carries the database password or connection string', () => {
      const everything = [
        ...system.output.map((o) => o.line),
        ...system.stderr.map((o) => o.line),
        JSON.stringify(receiver.spans),
        JSON.stringify(receiver.logs),
      ].join('\n');
      assert.ok(everything.includes('DatabaseUnavailable'), 'the outage left no trace at all');
      assert.ok(!everything.includes(password), 'the password was emitted');
      assert.ok(!everything.includes(`sightline_outage:`), 'a connection string was emitted');
    });
  });
});
