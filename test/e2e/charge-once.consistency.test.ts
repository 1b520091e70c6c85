import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { queryDatabase } from '../support/database.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { System } from '../support/system.ts';

const TOKEN = randomBytes(24).toString('base64url');
const CARD = { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' };
const SKU = 'SKU-CAP-005';

/**
 * The four services as processes, with the card provider simulated inside payment-service: an
 * order is charged at most once, whatever the provider did when payment-service did not hear it,
 * and only for what the order costs.
 */
describe('an order is charged once, for its own amount', () => {
  let receiver: OtlpReceiver;
  let system: System;
  let userId: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      common: { ADMIN_TOKENS: `trainer:${TOKEN}` },
      // The reconciler looks every 200 ms at orders older than 2.5 s.
      env: { 'order-service': { RECONCILE_INTERVAL_MS: '200', RECONCILE_MIN_AGE_MS: '2500' } },
    });
    const user = await postJson(`${system.url('api-gateway')}/api/users`, {
      email: `once-${randomUUID()}@example.com`,
      name: 'Una',
      password: 'long enough password',
    });
    userId = user.body.id as string;
  });
  afterEach(async () => {
    for (const service of ['order-service', 'payment-service'] as const) {
      await fault(service, 'DELETE', '');
    }
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  async function fault(
    service: 'order-service' | 'payment-service',
    method: 'PUT' | 'DELETE',
    name: string,
    options?: unknown,
  ) {
    const response = await fetch(`${system.url(service)}/admin/faults${name && `/${name}`}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: options === undefined ? undefined : JSON.stringify(options),
    });
    assert.equal(response.status, 200, await response.text());
  }

  const order = (idempotencyKey: string) =>
    postJson(
      `${system.url('api-gateway')}/api/orders`,
      { userId, items: [{ sku: SKU, quantity: 1 }], card: CARD },
      { 'idempotency-key': idempotencyKey },
    );

  /** The order stored under this Idempotency-Key (a 503 does not name it). */
  const orderIdOf = async (requestKey: string) => {
    const [row] = await queryDatabase<{ id: string }>(
      system.databaseUrl('order-service'),
      'select id from orders where idempotency_key = $1',
      [requestKey],
    );
    assert.ok(row, `no order holds key ${requestKey}`);
    return row.id;
  };

  const attemptsOf = (orderId: string) =>
    queryDatabase<{ id: string; status: string }>(
      system.databaseUrl('payment-service'),
      'select id, status from payments where order_id = $1 order by created_at, id',
      [orderId],
    );

  const ledgerOf = (orderId: string) =>
    queryDatabase<{ outcome: string; reference: string }>(
      system.databaseUrl('payment-service'),
      'select outcome, reference from card_provider_ledger where idempotency_key = $1',
      [`order-${orderId}`],
    );

  test('when the provider times out after charging, then the retry with the same Idempotency-Key charges nothing again, and the order is paid once', async () => {
    await fault('payment-service', 'PUT', 'paymentGatewayTimeout', {
      sku: SKU,
      delayMs: 100,
      when: 'after',
    });
    const key = randomUUID();

    const timedOut = await order(key);
    const retry = await order(key);

    assert.equal(timedOut.status, 503);
    const orderId = await orderIdOf(key);
    assert.equal(retry.status, 201);
    assert.equal(retry.body.status, 'paid');
    const attempts = await attemptsOf(orderId);
    assert.deepEqual(
      attempts.map((a) => a.status),
      ['succeeded'],
    );
    assert.equal(retry.body.paymentId, attempts[0]?.id);
    assert.deepEqual(await ledgerOf(orderId), [{ outcome: 'charged', reference: attempts[0]?.id }]);
  });

  test("when payment-service restarts after the provider charged without answering, then the provider's ledger still holds the charge, and the retry is paid from it", async () => {
    await fault('payment-service', 'PUT', 'paymentGatewayTimeout', {
      sku: SKU,
      delayMs: 100,
      when: 'after',
    });
    const key = randomUUID();
    const timedOut = await order(key);
    assert.equal(timedOut.status, 503);

    assert.equal(await system.stopService('payment-service'), 0);
    await system.launch('payment-service');
    const retry = await order(key);

    const orderId = await orderIdOf(key);
    assert.equal(retry.status, 201);
    assert.equal(retry.body.status, 'paid');
    const attempts = await attemptsOf(orderId);
    assert.deepEqual(
      attempts.map((a) => a.status),
      ['succeeded'],
    );
    assert.equal(retry.body.paymentId, attempts[0]?.id);
    assert.equal((await ledgerOf(orderId)).length, 1);
  });

  test('when a successful payment of another amount is on record for a pending order, then the reconciler does not mark it paid, and reports it as an error and in a metric', async () => {
    // An order left pending (payment-service was unreachable), and a 1-cent charge for it that
    // payment-service would refuse today, written straight into its table.
    await fault('order-service', 'PUT', 'paymentUnreachable', {});
    const key = randomUUID();
    assert.equal((await order(key)).status, 503);
    const orderId = await orderIdOf(key);
    const [cent] = await queryDatabase<{ id: string }>(
      system.databaseUrl('payment-service'),
      `insert into payments (order_id, amount_cents, currency, status, card_brand, card_last4)
       values ($1, 1, 'USD', 'succeeded', 'visa', '4242') returning id`,
      [orderId],
    );
    await fault('order-service', 'DELETE', '');

    const error = await eventually(
      'the reconciler to report the payment',
      () =>
        system
          .logs('order-service')
          .find((l) => l.order_id === orderId && l['error.type'] === 'PaymentDoesNotMatchOrder'),
      15_000,
    );
    const stored = await fetch(`${system.url('api-gateway')}/api/orders/${orderId}`);

    assert.equal(error.level, 'error');
    assert.equal(error.payment_id, cent?.id);
    assert.match(error.msg, /charged 1 USD .* which is 1900 USD/);
    assert.equal(((await stored.json()) as { status: string }).status, 'pending');
    const metrics = await (await fetch(`${system.url('order-service')}/metrics`)).text();
    assert.match(metrics, /^orders_payment_mismatches_total\{[^}]*mismatch="amount"[^}]*\} [1-9]/m);
    // The other series is there from the start, at 0 (prometheus/rules/services.yml, PaymentMismatch).
    assert.match(metrics, /^orders_payment_mismatches_total\{[^}]*mismatch="currency"[^}]*\} 0$/m);
  });

  test('when payment-service is asked to charge an order another amount than order-service stored, then it refuses with 422 naming amountCents and charges nothing', async () => {
    await fault('order-service', 'PUT', 'paymentUnreachable', {});
    const key = randomUUID();
    assert.equal((await order(key)).status, 503);
    const orderId = await orderIdOf(key);

    const response = await postJson(`${system.url('payment-service')}/api/payments`, {
      orderId,
      amountCents: 1,
      currency: 'USD',
      card: CARD,
    });

    assert.equal(response.status, 422);
    assert.deepEqual(
      (response.body.errors as { field: string }[]).map((e) => e.field),
      ['amountCents'],
    );
    assert.deepEqual(await attemptsOf(orderId), []);
    assert.deepEqual(await ledgerOf(orderId), []);
  });
});
