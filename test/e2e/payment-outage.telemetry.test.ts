import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { emittedKeys, violations } from '../support/semantic-conventions.ts';
import { startSentryReceiver } from '../support/sentry-receiver.ts';
import { newTraceparent, System } from '../support/system.ts';

const ERROR = 2;
const SERVER = 2;

describe('payment-service is down while an order is placed', () => {
  let receiver: OtlpReceiver;
  let sentry: Awaited<ReturnType<typeof startSentryReceiver>>;
  let system: System;
  let userId: string;
  let traceId: string;
  let outage: Awaited<ReturnType<typeof postJson>>;
  const idempotencyKey = randomUUID();
  const orderBody = () => ({
    userId,
    items: [{ sku: 'SKU-MUG-002', quantity: 2 }],
    card: { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' },
  });

  before(async () => {
    receiver = await startOtlpReceiver();
    sentry = await startSentryReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      common: { SENTRY_SPOTLIGHT: sentry.url },
    });
    const gateway = system.url('api-gateway');
    const user = await postJson(`${gateway}/api/users`, {
      email: `outage-${randomUUID()}@example.com`,
      name: 'Otto',
      password: 'long enough password',
    });
    userId = user.body.id as string;

    assert.equal(
      await system.stopService('payment-service'),
      0,
      'payment-service should stop cleanly on SIGTERM',
    );

    const parent = newTraceparent();
    traceId = parent.traceId;
    outage = await postJson(`${gateway}/api/orders`, orderBody(), {
      traceparent: parent.traceparent,
      'idempotency-key': idempotencyKey,
    });
  });

  after(async () => {
    await system?.stop();
    await receiver?.close();
    await sentry?.close();
  });

  test('then the gateway answers 503 with a problem naming the unavailable service', () => {
    assert.equal(outage.status, 503);
    assert.equal(outage.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(outage.body.type, 'urn:sightline:problem:dependency-unavailable');
    assert.equal(outage.body.dependency, 'payment-service');
  });

  test("then order-service's server span is ERROR with the exception recorded", async () => {
    const span = await eventually('the order-service server span', () =>
      receiver.spans.find(
        (s) => s.traceId === traceId && s.service === 'order-service' && s.kind === SERVER,
      ),
    );
    assert.equal(span.statusCode, ERROR);
    const exception = span.events.find((e) => e.name === 'exception');
    assert.equal(exception?.attributes['exception.type'], 'DependencyUnavailable');
    // Sentry is on in this system; W3C propagation must be untouched by it.
    const parent = await eventually('the parent of that span', () =>
      receiver.spans.find((s) => s.spanId === span.parentSpanId),
    );
    assert.equal(parent.service, 'api-gateway');
  });

  test('then exactly one error log line, from order-service, says what failed and where in the code', async () => {
    await eventually('the gateway request log', () =>
      system.logs('api-gateway').some((l) => l.trace_id === traceId),
    );
    const errors = system.logs().filter((l) => l.trace_id === traceId && 'error.stack' in l);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    const [error] = errors;
    assert.equal(error?.service, 'order-service');
    assert.equal(error?.['error.type'], 'DependencyUnavailable');
    assert.match(String(error?.['code.filepath']), /services\/order-service\/src\//);
    assert.equal(typeof error?.['code.lineno'], 'number');
    assert.ok(error?.['code.function'], 'no code.function');
    // Request lines: 5xx at error, success (the user lookup) at info; only the line above has the error.
    const requestLines = system.logs().filter((l) => l.trace_id === traceId && 'res' in l);
    assert.deepEqual(requestLines.map((l) => [l.service, l.level]).sort(), [
      ['api-gateway', 'error'],
      ['order-service', 'error'],
      ['user-service', 'info'],
    ]);
  });

  test('then, with Sentry on, every attribute exported is still a convention or declared in our registry', async () => {
    await eventually('the order-service error record', () =>
      receiver.logs.find((l) => l.traceId === traceId && 'exception.type' in l.attributes),
    );
    assert.deepEqual(violations(emittedKeys(receiver)), []);
  });

  test('then Sentry receives the error, tagged with the same trace id', async () => {
    const event = await eventually('a Sentry event for the trace', () =>
      sentry.events.find((e) => e.contexts?.trace?.trace_id === traceId),
    );
    assert.equal(event.exception?.values?.at(-1)?.type, 'DependencyUnavailable');
    assert.equal(event.tags?.trace_id, traceId);
  });

  test('then the order is kept as pending, and the same Idempotency-Key pays it once payment-service is back', async () => {
    const gateway = system.url('api-gateway');
    const listed = (await (await fetch(`${gateway}/api/orders?userId=${userId}`)).json()) as {
      items: { id: string; status: string }[];
    };
    assert.deepEqual(
      listed.items.map((o) => o.status),
      ['pending'],
    );

    await system.launch('payment-service');
    const retry = await postJson(`${gateway}/api/orders`, orderBody(), {
      'idempotency-key': idempotencyKey,
    });

    assert.equal(retry.status, 201);
    assert.equal(retry.body.id, listed.items[0]?.id);
    assert.equal(retry.body.status, 'paid');
    const payment = await fetch(`${gateway}/api/payments/${String(retry.body.paymentId)}`);
    assert.equal(((await payment.json()) as { orderId: string }).orderId, retry.body.id);
  });
});
