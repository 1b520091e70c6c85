import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { launchService, serviceUrls, type ServiceName } from '../../../infra/dev/services.ts';
import { createTestDatabase, queryDatabase } from '../../../test/support/database.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { freePort } from '../../../test/support/ports.ts';

interface Running {
  url: string;
  stop(): Promise<void>;
}

/** One service as its own process, as `npm start` runs it, on a free port. */
async function launch(name: ServiceName, env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = await launchService(name, {
    PATH: process.env.PATH,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    SHUTDOWN_READINESS_DELAY_MS: '0',
    ...env,
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** user-service's password-hash metrics, read in one scrape (0 for a series not there yet). */
async function hashMetrics(service: Running) {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const value = (series: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(series))
        ?.split(' ')
        .at(-1) ?? 0,
    );
  const total = (outcome: string) => value(`password_hashes_total{outcome="${outcome}"`);
  return {
    completed: total('completed'),
    rejected: total('rejected'),
    abandoned: total('abandoned'),
    inFlight: value('password_hash_in_flight'),
    queued: value('password_hash_queue_depth'),
  };
}

const signUp = (url: string, email: string, signal?: AbortSignal) =>
  fetch(`${url}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Burst', password: 'long enough password' }),
    signal,
  });

describe('sign-ups when more arrive than user-service can hash at once', () => {
  let databaseUrl: string;
  let users: Running;
  let gateway: Running;

  before(async () => {
    databaseUrl = await createTestDatabase('users');
    // One hash at a time and five waiting: small enough that a test's burst overflows it.
    users = await launch('user-service', {
      DATABASE_URL: databaseUrl,
      PASSWORD_HASH_CONCURRENCY: '1',
      PASSWORD_HASH_QUEUE_LIMIT: '5',
    });
    const port = Number(new URL(users.url).port);
    gateway = await launch('api-gateway', {
      ...serviceUrls({
        'user-service': port,
        'order-service': port,
        'payment-service': port,
        'api-gateway': 0,
      }),
      // This test is about user-service's bound, not the gateway's per-address limit.
      SIGN_UP_RATE_LIMIT_MAX: '1000',
    });
  });
  after(async () => {
    await gateway?.stop();
    await users?.stop();
  });

  test('when 20 sign-ups arrive at once, then those past the pool and its queue get 503 with Retry-After at once, and the rest are created', async () => {
    const before = await hashMetrics(users);

    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const started = performance.now();
        const response = await signUp(gateway.url, `burst-${randomUUID()}@example.com`);
        const body = (await response.json()) as { type?: string; status?: number };
        return { response, body, ms: performance.now() - started };
      }),
    );

    const created = answers.filter((a) => a.response.status === 201);
    const refused = answers.filter((a) => a.response.status === 503);
    assert.equal(created.length + refused.length, 20, answers.map((a) => a.response.status).join());
    // At most one running and five waiting when the burst lands; a slow machine may finish a
    // hash or two while the rest still arrive.
    assert.ok(refused.length >= 10, `only ${refused.length} of 20 refused`);
    for (const { response, body } of refused) {
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.ok(Number(response.headers.get('retry-after')) >= 1, 'no Retry-After');
      assert.equal(body.type, 'urn:sightline:problem:busy');
      assert.equal(body.status, 503);
    }
    // Refused at once, not after waiting in line: each before the last sign-up was created.
    const slowestCreated = Math.max(...created.map((a) => a.ms));
    assert.ok(
      refused.every((a) => a.ms < slowestCreated),
      `refusals took up to ${Math.max(...refused.map((a) => a.ms)).toFixed(0)} ms, the last sign-up ${slowestCreated.toFixed(0)} ms`,
    );
    const afterwards = await hashMetrics(users);
    assert.equal(afterwards.completed - before.completed, created.length);
    assert.equal(afterwards.rejected - before.rejected, refused.length);
    const [stored] = await queryDatabase<{ count: string }>(
      databaseUrl,
      `select count(*) from users where email like 'burst-%'`,
    );
    assert.equal(Number(stored?.count), created.length);
  });

  test('when a client aborts a sign-up waiting in the queue, then its password is never hashed, its place is freed and nothing is stored', async () => {
    const before = await hashMetrics(users);
    /** Sign-ups user-service has taken in since `before`: hashed, hashing, or waiting. */
    const received = async () => {
      const now = await hashMetrics(users);
      return now.completed - before.completed + now.inFlight + now.queued;
    };

    // Four ahead of it: one hashing, three waiting.
    const ahead = Array.from({ length: 4 }, () =>
      signUp(gateway.url, `ahead-${randomUUID()}@example.com`),
    );
    await eventually('the four to reach user-service', async () => (await received()) === 4);
    const controller = new AbortController();
    const email = `gone-${randomUUID()}@example.com`;
    const gone = signUp(gateway.url, email, controller.signal).catch((error: unknown) => error);
    await eventually('the fifth to wait in the queue', async () => (await received()) === 5);
    controller.abort();
    assert.equal(((await gone) as Error).name, 'AbortError');

    // It leaves the queue as soon as its connection closes, while the four are still at work.
    const left = await eventually('the abandoned sign-up to leave the queue', async () => {
      const now = await hashMetrics(users);
      return now.abandoned === before.abandoned + 1 && now;
    });
    assert.ok(left.inFlight + left.queued <= 4);
    assert.deepEqual(
      (await Promise.all(ahead)).map((r) => r.status),
      [201, 201, 201, 201],
    );
    // Only the four ahead were hashed.
    const afterwards = await hashMetrics(users);
    assert.equal(afterwards.completed - before.completed, 4);
    assert.equal(afterwards.queued, 0);
    const rows = await queryDatabase(databaseUrl, 'select 1 from users where email = $1', [email]);
    assert.equal(rows.length, 0);
  });
});
