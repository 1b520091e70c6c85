import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { freePort } from '../../../test/support/ports.ts';
import { setFaultInjector } from '../src/fault-injection.ts';
import { ProblemError, problemType } from '../src/problem.ts';

describe('the fault-injection seam', () => {
  let users: StartedService;
  let payments: StartedService;
  let orders: StartedService;

  before(async () => {
    users = await startInProcess('user-service');
    // payment-service asks order-service what an order costs: order-service's port comes first.
    const ordersPort = await freePort();
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '0',
      ORDER_SERVICE_URL: `http://127.0.0.1:${ordersPort}`,
    });
    orders = await startInProcess('order-service', {
      PORT: String(ordersPort),
      USER_SERVICE_URL: users.service.url,
      PAYMENT_SERVICE_URL: payments.service.url,
    });
  });
  afterEach(() => setFaultInjector(undefined));
  after(async () => {
    await orders.service.stop();
    await payments.service.stop();
    await users.service.stop();
  });

  test('when an injector fails incoming requests, then the route answers with its problem', async () => {
    setFaultInjector({
      onRequest: ({ path }) => {
        if (path === '/api/products') {
          throw new ProblemError({
            type: problemType('injected'),
            title: 'Injected fault',
            status: 503,
          });
        }
      },
      onCall: () => {},
    });

    const response = await fetch(`${orders.service.url}/api/products`);

    assert.equal(response.status, 503);
    assert.equal(
      ((await response.json()) as { type: string }).type,
      'urn:sightline:problem:injected',
    );
  });

  test('when an injector breaks calls to one dependency, then the caller sees it as that dependency being unavailable', async () => {
    const calls: string[] = [];
    setFaultInjector({
      onRequest: () => {},
      onCall: ({ dependency }) => {
        calls.push(dependency);
        if (dependency === 'payment-service') throw new Error('injected connection reset');
      },
    });
    const user = await postJson(`${users.service.url}/api/users`, {
      email: `fault-${randomUUID()}@example.com`,
      name: 'Faye',
      password: 'long enough password',
    });

    const response = await postJson(
      `${orders.service.url}/api/orders`,
      {
        userId: user.body.id,
        items: [{ sku: 'SKU-MUG-002', quantity: 1 }],
        card: { number: '4242424242424242', expMonth: 1, expYear: 2031, cvc: '123' },
      },
      { 'idempotency-key': randomUUID() },
    );

    assert.equal(response.status, 503);
    assert.equal(response.body.dependency, 'payment-service');
    assert.deepEqual(calls, ['user-service', 'payment-service']);
  });
});
