import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { after, afterEach, before, describe, test } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { newTraceparent, System } from '../support/system.ts';

type Service = 'user-service' | 'order-service' | 'payment-service';

const TOKEN = randomBytes(24).toString('base64url');
const SERVER = 2;
const card = { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' };

describe('failure drills: faults switched on at runtime', () => {
  let receiver: OtlpReceiver;
  let system: System;
  let userId: string;

  const admin = (service: Service, method: string, path = '', body?: unknown) =>
    fetch(`${system.url(service)}/admin/faults${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function switchOn(service: Service, fault: string, options: Record<string, unknown>) {
    const response = await admin(service, 'PUT', `/${fault}`, options);
    assert.equal(response.status, 200, await response.clone().text());
  }

  /** An order, with its own Idempotency-Key unless `headers` brings the one to retry with. */
  async function order(sku: string, headers: Record<string, string> = {}) {
    const { traceparent, traceId } = newTraceparent();
    const started = performance.now();
    const response = await postJson(
      `${system.url('api-gateway')}/api/orders`,
      { userId, items: [{ sku, quantity: 1 }], card },
      { traceparent, 'idempotency-key': randomUUID(), ...headers },
    );
    return { ...response, traceId, elapsedMs: performance.now() - started };
  }

  async function timedGet(url: string) {
    const { traceparent, traceId } = newTraceparent();
    const started = performance.now();
    const response = await fetch(url, { headers: { traceparent } });
    await response.arrayBuffer();
    return { status: response.status, traceId, elapsedMs: performance.now() - started };
  }

  /** A sample's value from the service's /metrics, e.g. `fault_active` with `fault="x"`. */
  async function metric(service: Service, name: string, label = ''): Promise<number> {
    const text = await (await fetch(`${system.url(service)}/metrics`)).text();
    const line = text.split('\n').find((l) => /^\w+/.exec(l)?.[0] === name && l.includes(label));
    assert.ok(line, `${service} has no ${name} ${label}`);
    return Number(line.split(' ').at(-1));
  }

  /** The trace shows the fault: a span of the service carries its flag evaluation event. */
  function flagEvaluated(traceId: string, service: Service, fault: string): boolean {
    return receiver.spans.some(
      (s) =>
        s.traceId === traceId &&
        s.service === service &&
        s.events.some(
          (e) => e.name === 'feature_flag.evaluation' && e.attributes['feature_flag.key'] === fault,
        ),
    );
  }

  function errorLine(service: Service, traceId: string) {
    return eventually(`an error log line from ${service}`, () =>
      system.logs(service).find((l) => l.trace_id === traceId && 'error.stack' in l),
    );
  }

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      common: { ADMIN_TOKENS: `trainer:${TOKEN}` },
    });
    const user = await postJson(`${system.url('api-gateway')}/api/users`, {
      email: `drill-${randomUUID()}@example.com`,
      name: 'Dora',
      password: 'long enough password',
    });
    userId = user.body.id as string;
  });
  afterEach(async () => {
    for (const service of ['user-service', 'order-service', 'payment-service'] as const) {
      await admin(service, 'DELETE');
    }
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  test('when paymentGatewayTimeout names a SKU, then orders holding it fail in payment-service after the wait, at its card provider', async () => {
    await switchOn('payment-service', 'paymentGatewayTimeout', {
      sku: 'SKU-MUG-002',
      delayMs: 300,
    });

    const failed = await order('SKU-MUG-002');
    const other = await order('SKU-TEE-001');

    assert.equal(failed.status, 503);
    assert.ok(failed.elapsedMs >= 300, `answered after ${failed.elapsedMs} ms`);
    assert.equal(other.status, 201);
    const error = await errorLine('payment-service', failed.traceId);
    assert.equal(error['error.message'], 'Payment gateway timeout');
    assert.match(
      String(error['code.filepath']),
      /services\/payment-service\/src\/clients\/card-provider\.ts$/,
    );
    assert.equal(typeof error['code.lineno'], 'number');
  });

  test('when paymentFailure is at 100 %, then every charge fails with a 5xx raised by the card provider, and a retry pays once it is cleared', async () => {
    await switchOn('payment-service', 'paymentFailure', { percent: 100 });
    const key = { 'idempotency-key': randomUUID() };

    const failed = await order('SKU-TEE-001', key);

    assert.equal(failed.status, 503);
    const error = await errorLine('payment-service', failed.traceId);
    assert.equal(error['error.type'], 'CardProviderFailed');
    assert.match(
      String(error['code.filepath']),
      /services\/payment-service\/src\/clients\/card-provider\.ts$/,
    );
    const requestLine = await eventually('payment-service request line', () =>
      system.logs('payment-service').find((l) => l.trace_id === failed.traceId && 'res' in l),
    );
    assert.equal((requestLine.res as { status_code: number }).status_code, 502);
    // Nothing was charged, so the failed attempt does not hold the order back.
    assert.equal((await admin('payment-service', 'DELETE', '/paymentFailure')).status, 200);
    const retried = await order('SKU-TEE-001', key);
    assert.equal(retried.status, 201);
    assert.equal(retried.body.status, 'paid');
  });

  test('when paymentUnreachable is on, then order-service fails in its payment client, counts the call as unreachable, and nothing reaches payment-service', async () => {
    // Summed over the charge (POST) and the reconciler's lookups (GET).
    const counted = async () =>
      (await (await fetch(`${system.url('order-service')}/metrics`)).text())
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('http_client_request_duration_seconds_count{') &&
            l.includes('peer_service="payment-service"') &&
            l.includes('error_type="unreachable"'),
        )
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    const before = await counted();
    await switchOn('order-service', 'paymentUnreachable', {});

    const failed = await order('SKU-TEE-001');

    assert.equal(failed.status, 503);
    assert.equal(failed.body.dependency, 'payment-service');
    const error = await errorLine('order-service', failed.traceId);
    assert.equal(error['error.type'], 'DependencyUnavailable');
    assert.match(
      String(error['code.filepath']),
      /services\/order-service\/src\/clients\/payment-client\.ts$/,
    );
    await eventually('the order-service server span', () =>
      receiver.spans.find(
        (s) => s.traceId === failed.traceId && s.service === 'order-service' && s.kind === SERVER,
      ),
    );
    assert.ok(
      !receiver.spans.some((s) => s.traceId === failed.traceId && s.service === 'payment-service'),
    );
    // What DependencyFailures reads: the caller's count of calls it could not make.
    assert.ok((await counted()) >= before + 1, 'the refused charge is not counted');
  });

  test('when slowDatabase is on, then the catalog query itself is slow and its pg span shows pg_sleep', async () => {
    await switchOn('order-service', 'slowDatabase', { delayMs: 400 });

    const slow = await timedGet(`${system.url('api-gateway')}/api/products`);

    assert.equal(slow.status, 200);
    assert.ok(slow.elapsedMs >= 400, `answered after ${slow.elapsedMs} ms`);
    const span = await eventually('the slow pg span', () =>
      receiver.spans.find(
        (s) =>
          s.traceId === slow.traceId &&
          s.service === 'order-service' &&
          Object.values(s.attributes).some((v) => String(v).includes('pg_sleep')),
      ),
    );
    assert.ok(span.durationMs >= 400, `pg span took ${span.durationMs} ms`);
    assert.ok(flagEvaluated(slow.traceId, 'order-service', 'slowDatabase'));
  });

  test('when userServiceLatency is on, then user lookups take the fixed delay plus jitter', async () => {
    await switchOn('user-service', 'userServiceLatency', { delayMs: 300, jitterMs: 100 });

    const slow = await timedGet(`${system.url('api-gateway')}/api/users/${userId}`);

    assert.equal(slow.status, 200);
    assert.ok(slow.elapsedMs >= 300, `answered after ${slow.elapsedMs} ms`);
    const span = await eventually('the user-service server span', () =>
      receiver.spans.find(
        (s) => s.traceId === slow.traceId && s.service === 'user-service' && s.kind === SERVER,
      ),
    );
    assert.ok(span.durationMs >= 300 && span.durationMs < 2_000, `took ${span.durationMs} ms`);
    assert.ok(flagEvaluated(slow.traceId, 'user-service', 'userServiceLatency'));
  });

  test('when eventLoopBlock is on, then pricing an order burns CPU on the event loop of order-service', async () => {
    await switchOn('order-service', 'eventLoopBlock', { blockMs: 500 });
    const cpuBefore = await metric('order-service', 'process_cpu_seconds_total');

    const placed = await order('SKU-TEE-001');

    assert.equal(placed.status, 201);
    const cpuSpent = (await metric('order-service', 'process_cpu_seconds_total')) - cpuBefore;
    assert.ok(cpuSpent >= 0.45, `order-service spent ${cpuSpent} s of CPU`);
    const pricing = await eventually('the OrderService.priceItems span', () =>
      receiver.spans.find(
        (s) => s.traceId === placed.traceId && s.name === 'OrderService.priceItems',
      ),
    );
    assert.ok(pricing.durationMs >= 500, `pricing took ${pricing.durationMs} ms`);
  });

  test('when memoryLeak is on, then user-service holds more memory per lookup, up to its cap, and lets go when cleared', async () => {
    const externalBefore = await metric('user-service', 'nodejs_external_memory_bytes');
    await switchOn('user-service', 'memoryLeak', { kbPerRequest: 2048, maxMb: 8 });

    for (let i = 0; i < 5; i++) {
      assert.equal(
        (await timedGet(`${system.url('user-service')}/api/users/${userId}`)).status,
        200,
      );
    }

    assert.equal(await metric('user-service', 'fault_memory_retained_bytes'), 8 * 1024 * 1024);
    // The runtime's own external memory comes and goes by a little meanwhile.
    const grown = (await metric('user-service', 'nodejs_external_memory_bytes')) - externalBefore;
    assert.ok(grown >= 6 * 1024 * 1024, `external memory grew by ${grown} bytes`);
    assert.equal((await admin('user-service', 'DELETE', '/memoryLeak')).status, 200);
    assert.equal(await metric('user-service', 'fault_memory_retained_bytes'), 0);
  });

  test('when a fault is switched on, off, and on for 200 ms, then each change is one audit line naming the fault, the token name and the expiry, and the gauge follows', async () => {
    const earlier = system.logs('order-service').filter((l) => l.fault === 'slowDatabase').length;
    await switchOn('order-service', 'slowDatabase', { delayMs: 100 });
    assert.equal(await metric('order-service', 'fault_active', 'fault="slowDatabase"'), 1);
    assert.equal((await admin('order-service', 'DELETE', '/slowDatabase')).status, 200);
    assert.equal(await metric('order-service', 'fault_active', 'fault="slowDatabase"'), 0);
    await switchOn('order-service', 'slowDatabase', { delayMs: 100, for: '200ms' });

    const audit = await eventually('four audit lines', () => {
      const lines = system.logs('order-service').filter((l) => l.fault === 'slowDatabase');
      return lines.length >= earlier + 4 && lines.slice(earlier);
    });
    assert.deepEqual(
      audit.map((l) => [l.level, l.fault_action, l.admin_token_name]),
      [
        ['warn', 'on', 'trainer'],
        ['info', 'off', 'trainer'],
        ['warn', 'on', 'trainer'],
        ['info', 'expired', 'expiry'],
      ],
    );
    assert.ok(audit.every((l) => !Number.isNaN(Date.parse(String(l.fault_until)))));
    assert.equal(await metric('order-service', 'fault_active', 'fault="slowDatabase"'), 0);
    assert.ok(!system.output.some((entry) => entry.line.includes(TOKEN)), 'a token was logged');
  });

  test('when /admin/faults is asked through the gateway, even with the token, then it is refused and nothing changes', async () => {
    const gateway = system.url('api-gateway');
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

    const list = await fetch(`${gateway}/admin/faults`, { headers });
    const set = await fetch(`${gateway}/admin/faults/slowDatabase`, {
      method: 'PUT',
      headers,
      body: '{}',
    });

    assert.equal(list.status, 404);
    assert.equal(set.status, 404);
    const faults = (await (await admin('order-service', 'GET')).json()) as {
      faults: { on: boolean }[];
    };
    assert.ok(faults.faults.every((fault) => !fault.on));
  });

  test('when `npm run fault` sets, lists and clears a fault, then the owning service switches it', async () => {
    const env = {
      ...process.env,
      SIGHTLINE_ADMIN_TOKEN: TOKEN,
      USER_SERVICE_PORT: String(system.ports['user-service']),
      ORDER_SERVICE_PORT: String(system.ports['order-service']),
      PAYMENT_SERVICE_PORT: String(system.ports['payment-service']),
    };
    const fault = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['infra/faults/cli.ts', ...args], { env });

    const set = await fault('set', 'paymentFailure', '--percent', '50', '--for', '5m');
    const listed = await fault('list');

    assert.match(
      set.stdout,
      /payment-service\s+paymentFailure\s+ON until .* by trainer \{"percent":50,"when":"before"\}/,
    );
    assert.match(listed.stdout, /payment-service\s+paymentFailure\s+ON/);
    assert.match(listed.stdout, /order-service\s+slowDatabase\s+off/);
    const cleared = await fault('clear', '--all');
    assert.doesNotMatch(cleared.stdout, /ON/);
  });
});
