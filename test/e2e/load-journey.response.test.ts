import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fetchClient } from '../../infra/traffic/fetch-client.ts';
import {
  ENDPOINTS,
  MISSTEPS,
  runJourney,
  runMisstep,
  type JourneySession,
} from '../../load-tests/journey.ts';
import { eventually } from '../support/eventually.ts';
import { documentedParameter } from '../support/openapi-contract.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { System } from '../support/system.ts';

const SERVER = 2;

/** A fixed sequence for the journey's draws, so a test chooses a paid or a declined order. */
const draws = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};
const PAID = draws(0.9, 0.5, 0.5);
const DECLINED = draws(0.01, 0.5, 0.5);

describe('the load-test journey, against the four services', () => {
  let receiver: OtlpReceiver;
  let system: System;

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      env: { 'api-gateway': { BAGGAGE_ALLOWED_KEYS: 'user_agent.synthetic.type' } },
    });
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  test('when a new user runs it twice, then the first run signs up, both order, every check passes', async () => {
    const client = fetchClient(system.url('api-gateway'));
    const session: JourneySession = {};

    const first = await runJourney(client, session, { uniqueId: randomUUID(), random: PAID });
    const second = await runJourney(client, session, { uniqueId: randomUUID(), random: PAID });

    assert.deepEqual(
      client.checks.filter((c) => !c.passed),
      [],
    );
    assert.equal(first.ok, true);
    assert.equal(first.signedUp, true);
    assert.equal(first.declined, false);
    assert.equal(second.ok, true);
    assert.equal(second.signedUp, false, 'a session signs up once');
    assert.notEqual(first.orderId, second.orderId);
    assert.deepEqual(
      client.sent.map((r) => r.name),
      [
        ENDPOINTS.signUp,
        ENDPOINTS.catalog,
        ENDPOINTS.placeOrder,
        ENDPOINTS.readOrder,
        ENDPOINTS.catalog,
        ENDPOINTS.placeOrder,
        ENDPOINTS.readOrder,
      ],
    );
  });

  test('when the card is declined, then the 402 and the order read back are what the checks expect', async () => {
    const client = fetchClient(system.url('api-gateway'));

    const outcome = await runJourney(client, {}, { uniqueId: randomUUID(), random: DECLINED });

    assert.deepEqual(
      client.checks.filter((c) => !c.passed),
      [],
    );
    assert.equal(outcome.declined, true);
    assert.equal(outcome.ok, true);
    const orderChecks = client.checks.filter((c) => c.endpoint === ENDPOINTS.placeOrder);
    assert.deepEqual(
      orderChecks.map((c) => [c.check, c.passed]),
      [
        ['trace continued', true],
        ['declined card refused (402)', true],
        ['refusal names the order', true],
      ],
    );
  });

  test('then every request carries its own sampled traceparent and the synthetic baggage, and becomes that trace', async () => {
    const client = fetchClient(system.url('api-gateway'));

    await runJourney(client, {}, { uniqueId: randomUUID(), random: PAID });

    const traceIds = client.sent.map((r) => {
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(r.headers.traceparent ?? '');
      assert.ok(match, `${r.name} sent a well-formed, sampled traceparent`);
      assert.equal(r.headers.baggage, 'user_agent.synthetic.type=test');
      return match[1]!;
    });
    assert.equal(new Set(traceIds).size, traceIds.length, 'one trace per request');
    // Each request's trace holds the gateway's server span: the trace k6 started is the one served.
    await eventually('a gateway server span in each request trace', () =>
      traceIds.every((traceId) =>
        receiver.spans.some(
          (s) => s.traceId === traceId && s.service === 'api-gateway' && s.kind === SERVER,
        ),
      ),
    );
  });

  test('when a user makes each misstep, then every order still carries an Idempotency-Key, and the checks expect what the API answers', async () => {
    const client = fetchClient(system.url('api-gateway'));
    const session: JourneySession = {};
    await runJourney(client, session, { uniqueId: randomUUID(), random: PAID });

    const missteps = [];
    for (const which of Object.values(MISSTEPS)) {
      missteps.push(await runMisstep(client, session, { which }));
    }

    assert.deepEqual(
      client.checks.filter((c) => !c.passed),
      [],
    );
    assert.deepEqual(
      missteps.map((m) => m.ok),
      [true, true, true],
    );
    const keys = client.sent
      .filter((r) => r.name === ENDPOINTS.placeOrder)
      .map((r) => r.headers['idempotency-key']);
    assert.equal(keys.length, 2);
    const rule = documentedParameter('POST', '/api/orders', 'idempotency-key').schema?.pattern;
    for (const key of keys) assert.match(key ?? '', new RegExp(rule ?? '.^'));
    const invalidOrder = client.checks.filter(
      (c) => c.endpoint === ENDPOINTS.placeOrder && c.status === 400,
    );
    assert.deepEqual(
      invalidOrder.map((c) => c.check),
      [
        'trace continued',
        'invalid order refused (400)',
        'refusal is a problem',
        'refusal names items',
      ],
    );
  });

  test('when a response is not what the journey expects, then its checks fail and the run is not ok', async () => {
    // The journey sent to a service that is not the gateway: the catalog answers, nothing else does.
    const client = fetchClient(system.url('order-service'));

    const outcome = await runJourney(client, {}, { uniqueId: randomUUID(), random: PAID });

    assert.equal(outcome.ok, false);
    assert.ok(
      client.checks.some((c) => c.endpoint === ENDPOINTS.signUp && !c.passed),
      'sign-up checks failed',
    );
  });
});
