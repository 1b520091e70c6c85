import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SERVICES } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../support/otlp-receiver.ts';
import { newTraceparent, ORDER_PATH, System } from '../support/system.ts';

const SERVER = 2;
const CLIENT = 3;
const CARD_NUMBER = '4242424242424242';
const PASSWORD = 'my-very-secret-password';

describe('one order, one trace: across four service processes', () => {
  let receiver: OtlpReceiver;
  let system: System;
  let traceId: string;
  let clientSpanId: string;
  let order: { status: number; headers: Headers; body: Record<string, unknown> };
  let traceSpans: ReceivedSpan[];

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({ otlpUrl: receiver.url });
    const gateway = system.url('api-gateway');

    const user = await postJson(`${gateway}/api/users`, {
      email: `trace-${randomUUID()}@example.com`,
      name: 'Tracy',
      password: PASSWORD,
    });
    assert.equal(user.status, 201);

    const parent = newTraceparent();
    traceId = parent.traceId;
    clientSpanId = parent.parentSpanId;
    order = await postJson(
      `${gateway}/api/orders`,
      {
        userId: user.body.id,
        items: [{ sku: 'SKU-HOD-004', quantity: 1 }],
        card: { number: CARD_NUMBER, expMonth: 1, expYear: 2031, cvc: '737' },
      },
      {
        traceparent: parent.traceparent,
        'x-request-id': `req-${traceId.slice(0, 8)}`,
        'idempotency-key': randomUUID(),
      },
    );
    assert.equal(order.status, 201);

    // Spans arrive in batches; wait until every service has sent its server span.
    traceSpans = await eventually('server spans of all four services', () => {
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      const servers = new Set(spans.filter((s) => s.kind === SERVER).map((s) => s.service));
      return ORDER_PATH.every((name) => servers.has(name)) && spans;
    });
  });

  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  test('when a client sends a traceparent, then every span of all four services carries its trace id', () => {
    const services = new Set(traceSpans.map((s) => s.service));
    assert.deepEqual([...services].sort(), [...ORDER_PATH].sort());
    const gatewayServer = traceSpans.find((s) => s.service === 'api-gateway' && s.kind === SERVER);
    assert.equal(gatewayServer?.parentSpanId, clientSpanId);
  });

  test("then each call is a client span whose child is the callee's server span", () => {
    const calls: [string, string][] = [
      ['api-gateway', 'order-service'],
      ['order-service', 'user-service'],
      ['order-service', 'payment-service'],
      // Before it charges, payment-service asks order-service what the order costs.
      ['payment-service', 'order-service'],
    ];
    for (const [caller, callee] of calls) {
      const linked = traceSpans.some(
        (server) =>
          server.service === callee &&
          server.kind === SERVER &&
          traceSpans.some(
            (client) =>
              client.service === caller &&
              client.kind === CLIENT &&
              client.spanId === server.parentSpanId,
          ),
      );
      assert.ok(linked, `${caller} → ${callee}: no client span is the parent of a server span`);
    }
  });

  test('then the database work of each service with a database shows as pg spans, plus the domain spans', () => {
    for (const service of SERVICES.filter((s) => s.database && ORDER_PATH.includes(s.name))) {
      const pgSpans = traceSpans.filter(
        (s) => s.service === service.name && s.attributes['db.system.name'] === 'postgresql',
      );
      assert.ok(pgSpans.length > 0, `no pg spans from ${service.name}`);
    }
    const names = traceSpans.map((s) => s.name);
    assert.ok(names.includes('OrderService.priceItems'));
    assert.ok(names.includes('PaymentProvider.charge'));
  });

  test('then health probes and metric scrapes made no spans, though they were polled', () => {
    const polled = receiver.spans.filter((s) =>
      /^\/(health|metrics)/.test(String(s.attributes['url.path'])),
    );
    assert.deepEqual(polled, []);
    assert.ok(
      receiver.spans.some((s) => s.attributes['url.path'] === '/api/orders'),
      'url.path is not recorded',
    );
  });

  test('then request lines are info for success and warn for a client error', async () => {
    const bad = newTraceparent();
    const response = await postJson(
      `${system.url('api-gateway')}/api/orders`,
      { items: [] },
      { traceparent: bad.traceparent, 'idempotency-key': randomUUID() },
    );
    assert.equal(response.status, 400);

    const line = await eventually('the gateway request line of the bad order', () =>
      system.logs('api-gateway').find((l) => l.trace_id === bad.traceId),
    );
    assert.equal(line.level, 'warn');
    const success = system.logs('api-gateway').find((l) => l.trace_id === traceId);
    assert.equal(success?.level, 'info');
  });

  test('then the gateway answers with a traceresponse naming the trace', () => {
    assert.match(
      order.headers.get('traceresponse') ?? '',
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
  });

  test('when the gateway refuses a body it cannot read, then its answer still names the trace', async () => {
    const caller = newTraceparent();
    const response = await fetch(`${system.url('api-gateway')}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: caller.traceparent },
      body: '{"userId": ',
    });
    assert.equal(response.status, 400);
    assert.match(
      response.headers.get('traceresponse') ?? '',
      new RegExp(`^00-${caller.traceId}-[0-9a-f]{16}-01$`),
    );
  });

  test('then log lines of all four services carry the trace id and request id, on stdout and over OTLP', async () => {
    const lines = system.logs().filter((l) => l.trace_id === traceId);
    assert.deepEqual([...new Set(lines.map((l) => l.service))].sort(), [...ORDER_PATH].sort());
    assert.ok(lines.every((l) => l.request_id === `req-${traceId.slice(0, 8)}`));
    assert.ok(lines.every((l) => typeof l.span_id === 'string' && l['service.name'] === l.service));

    const exported = await eventually('OTLP log records of all four services', () => {
      const services = new Set(
        receiver.logs.filter((l) => l.traceId === traceId).map((l) => l.service),
      );
      return ORDER_PATH.every((name) => services.has(name)) && services;
    });
    assert.equal(exported.size, ORDER_PATH.length);
  });

  test('then /metrics shows the request histogram with an exemplar carrying the trace id', async () => {
    const response = await fetch(`${system.url('api-gateway')}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /application\/openmetrics-text/);
    const text = await response.text();
    const exemplar = text
      .split('\n')
      .find(
        (line) =>
          line.startsWith('http_server_request_duration_seconds_bucket') &&
          line.includes(`trace_id="${traceId}"`),
      );
    assert.ok(exemplar, 'no histogram bucket carries the trace id as an exemplar');
    assert.match(exemplar, /http_route="\/api\/orders"/);
    assert.match(text, /nodejs_eventloop_lag_seconds/);
    assert.match(text, /nodejs_heap_size_used_bytes/);
  });

  test('then the card number and the password appear in no log line and no span attribute', async () => {
    // Wait for the last batches, then look everywhere.
    await eventually('the gateway log record of the order', () =>
      receiver.logs.some((l) => l.traceId === traceId && l.service === 'api-gateway'),
    );
    const everything = [
      ...system.output.map((o) => o.line),
      ...receiver.spans.map((s) => JSON.stringify(s)),
      ...receiver.logs.map((l) => JSON.stringify(l)),
    ].join('\n');
    assert.ok(everything.includes(traceId), 'the haystack is empty: nothing to search');
    assert.ok(!everything.includes(CARD_NUMBER), 'card number leaked');
    assert.ok(!everything.includes(PASSWORD), 'password leaked');
  });
});
