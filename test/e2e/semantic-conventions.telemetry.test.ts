import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { emittedKeys, KNOWN_EXCEPTIONS, violations } from '../support/semantic-conventions.ts';
import { newTraceparent, System } from '../support/system.ts';

const TOKEN = randomBytes(24).toString('base64url');
const SERVER = 2;
const paying = { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' };
const declining = { ...paying, number: '4000000000000002' };

describe('every attribute the services emit is a semantic convention or declared in our registry', () => {
  let receiver: OtlpReceiver;
  let system: System;
  const traces: Record<string, string> = {};

  async function traced(name: string, url: string, init: RequestInit = {}) {
    const { traceparent, traceId } = newTraceparent();
    traces[name] = traceId;
    const response = await fetch(url, {
      ...init,
      headers: { traceparent, 'content-type': 'application/json', ...init.headers },
    });
    await response.arrayBuffer();
    return response.status;
  }

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      common: { ADMIN_TOKENS: `trainer:${TOKEN}` },
      // The reconciler's root spans appear within the test, not after minutes.
      env: { 'order-service': { RECONCILE_INTERVAL_MS: '200' } },
    });
    const gateway = system.url('api-gateway');
    const user = await postJson(`${gateway}/api/users`, {
      email: `semconv-${randomUUID()}@example.com`,
      name: 'Sem',
      password: 'long enough password',
    });
    assert.equal(user.status, 201);
    const userId = user.body.id as string;
    const order = (card: typeof paying): RequestInit => ({
      method: 'POST',
      headers: { 'idempotency-key': randomUUID() },
      body: JSON.stringify({ userId, items: [{ sku: 'SKU-TEE-001', quantity: 1 }], card }),
    });

    assert.equal(await traced('user', `${gateway}/api/users/${userId}`), 200);
    assert.equal(await traced('catalog', `${gateway}/api/products`), 200);
    assert.equal(await traced('unknown user', `${gateway}/api/users/${randomUUID()}`), 404);
    assert.equal(await traced('unknown route', `${gateway}/api/nothing-here`), 404);
    assert.equal(await traced('paid', `${gateway}/api/orders`, order(paying)), 201);
    assert.equal(await traced('declined', `${gateway}/api/orders`, order(declining)), 402);

    // A fault: its audit lines, its feature_flag.evaluation event, the 5xx it causes.
    const faults = `${system.url('payment-service')}/admin/faults/paymentFailure`;
    const admin = { authorization: `Bearer ${TOKEN}` };
    const on = await fetch(faults, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ percent: 100 }),
    });
    assert.equal(on.status, 200);
    const faulted = await traced('fault', `${gateway}/api/orders`, order(paying));
    assert.equal(faulted, 503);
    assert.equal((await fetch(faults, { method: 'DELETE', headers: admin })).status, 200);

    // A dependency down: the caller's failure path, and the stopped service's last records.
    assert.equal(await system.stopService('payment-service'), 0);
    assert.equal(await traced('outage', `${gateway}/api/orders`, order(paying)), 503);

    await eventually('every kind of record to arrive', () => {
      const names = new Set(receiver.spans.map((s) => s.name));
      const events = new Set(receiver.spans.flatMap((s) => s.events.map((e) => e.name)));
      const messages = new Set(receiver.logs.map((l) => String(l.body)));
      return (
        ['PaymentProvider.charge', 'OrderService.priceItems', 'OrderService.reconcile'].every(
          (name) => names.has(name),
        ) &&
        events.has('feature_flag.evaluation') &&
        events.has('exception') &&
        ['fault paymentFailure switched on', 'shutting down', 'listening'].every((m) =>
          messages.has(m),
        ) &&
        Object.values(traces).every((traceId) => {
          // Every service that logged a request of the trace has exported its server span.
          const logged = receiver.logs.filter(
            (l) => l.traceId === traceId && 'http.response.status_code' in l.attributes,
          );
          const served = new Set(
            receiver.spans
              .filter((s) => s.traceId === traceId && s.kind === SERVER)
              .map((s) => s.service),
          );
          return logged.length > 0 && logged.every((l) => served.has(l.service));
        })
      );
    });
  });

  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  test('when the walkthrough traffic has run, then no span, span event, log record or resource carries an undeclared or deprecated attribute', () => {
    const seen = emittedKeys(receiver);

    assert.deepEqual(violations(seen), []);
    // The exceptions we keep are still needed, and the check saw our own attributes.
    const keys = new Set(seen.map(({ key }) => key));
    for (const key of Object.keys(KNOWN_EXCEPTIONS))
      assert.ok(keys.has(key), `${key} is no longer emitted`);
    for (const key of ['service.name', 'sightline.payment.amount_cents', 'sightline.fault.name'])
      assert.ok(keys.has(key), `${key} was not seen`);
  });

  test('when a request line leaves over OTLP, then it carries the HTTP conventions, the duration and the request id, and stdout the same facts', async () => {
    const traceId = traces.paid!;
    // The order's own request: payment-service also asks order-service for the order (a GET).
    const record = await eventually('the OTLP request record of order-service', () =>
      receiver.logs.find(
        (l) =>
          l.traceId === traceId &&
          l.service === 'order-service' &&
          l.attributes['http.request.method'] === 'POST',
      ),
    );
    assert.equal(record.attributes['http.request.method'], 'POST');
    assert.equal(record.attributes['url.path'], '/api/orders');
    assert.equal(record.attributes['http.route'], '/api/orders');
    assert.equal(record.attributes['http.response.status_code'], 201);
    assert.equal(typeof record.attributes['sightline.request.duration_ms'], 'number');
    const line = system
      .logs('order-service')
      .find((l) => l.trace_id === traceId && 'res' in l && l.span_id === record.spanId);
    assert.ok(line, 'no stdout request line with the same span');
    assert.deepEqual(line.req, { method: 'POST', url: '/api/orders' });
    assert.equal(line.route, '/api/orders');
    assert.deepEqual(line.res, { status_code: 201 });
    assert.equal(line.duration_ms, record.attributes['sightline.request.duration_ms']);
    assert.equal(line.request_id, record.attributes['sightline.request.id']);
  });

  test('when a failure is reported, then its OTLP record names the exception and the code location by the current conventions', async () => {
    const record = await eventually('the OTLP error record of payment-service', () =>
      receiver.logs.find(
        (l) =>
          l.traceId === traces.fault &&
          l.service === 'payment-service' &&
          'error.type' in l.attributes,
      ),
    );
    assert.equal(record.attributes['error.type'], 'CardProviderFailed');
    assert.equal(record.attributes['exception.type'], 'CardProviderFailed');
    assert.equal(typeof record.attributes['exception.message'], 'string');
    assert.match(String(record.attributes['exception.stacktrace']), /CardProviderFailed/);
    assert.match(
      String(record.attributes['code.file.path']),
      /services\/payment-service\/src\/clients\/card-provider\.ts$/,
    );
    assert.equal(typeof record.attributes['code.line.number'], 'number');
  });

  test("when a client's request is refused with 404, then no server span or metric calls it an error; a 5xx carries error.type", async () => {
    const servers = (traceId: string) =>
      receiver.spans.filter((s) => s.traceId === traceId && s.kind === SERVER);
    for (const name of ['unknown user', 'unknown route', 'declined']) {
      const spans = servers(traces[name]!);
      assert.ok(spans.length > 0, `no server span for ${name}`);
      for (const span of spans)
        assert.ok(!('error.type' in span.attributes), `${name}: ${span.service} has error.type`);
    }
    // The gateway's span may leave in a later batch than the records the setup waited for.
    const failed = await eventually("the gateway's server span of the fault", () =>
      servers(traces.fault!).find((s) => s.service === 'api-gateway'),
    );
    assert.equal(failed.attributes['error.type'], '503');

    const metrics = await (await fetch(`${system.url('api-gateway')}/metrics`)).text();
    const counts = metrics
      .split('\n')
      .filter((l) => l.startsWith('http_server_request_duration_seconds_count{'));
    const notFound = counts.filter((l) => l.includes('http_response_status_code="404"'));
    assert.ok(notFound.length > 0);
    assert.ok(
      notFound.every((l) => !l.includes('error_type=')),
      notFound.join('\n'),
    );
    assert.ok(
      counts.some(
        (l) => l.includes('http_response_status_code="503"') && l.includes('error_type="503"'),
      ),
    );
  });
});
