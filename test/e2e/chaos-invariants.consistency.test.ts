/**
 * The chaos run's checks (infra/chaos/invariants.ts), against the databases of the four real
 * services: they hold for what the services did, and each one names what was planted to break
 * it, so a run that reports no violation means none was there to find.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Answer, OrderIntent } from '../../infra/chaos/customers.ts';
import { checkInvariants, documentedAnswers, type Evidence } from '../../infra/chaos/invariants.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { queryDatabase } from '../support/database.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { System } from '../support/system.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };
const DECLINED_CARD = { ...CARD, number: '4000000000000002' };

describe('the chaos run’s invariants, over what the real services stored', () => {
  let receiver: OtlpReceiver;
  let system: System;
  const intents: OrderIntent[] = [];
  const answers: Answer[] = [];
  let evidence: Evidence;

  async function order(userId: string, card: typeof CARD): Promise<OrderIntent> {
    const key = randomUUID();
    const response = await fetch(`${system.url('api-gateway')}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ userId, items: [{ sku: 'SKU-MUG-002', quantity: 1 }], card }),
    });
    const body = (await response.json()) as { id?: string; orderId?: string; status?: string };
    answers.push({ operation: 'POST /api/orders', status: response.status });
    const intent: OrderIntent = {
      idempotencyKey: key,
      userId,
      orderId: body.id ?? body.orderId,
      lastStatus: response.status,
      paid: response.status === 201 && body.status === 'paid',
      declined: response.status === 402,
      tries: 1,
    };
    intents.push(intent);
    return intent;
  }

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({ otlpUrl: receiver.url });
    const signUp = await fetch(`${system.url('api-gateway')}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `${randomUUID()}@example.com`,
        name: 'C',
        password: 'a long password',
      }),
    });
    answers.push({ operation: 'POST /api/users', status: signUp.status });
    const { id } = (await signUp.json()) as { id: string };
    await order(id, CARD);
    await order(id, CARD);
    await order(id, DECLINED_CARD);
    evidence = {
      ordersUrl: system.databaseUrl('order-service'),
      paymentsUrl: system.databaseUrl('payment-service'),
      paymentDeadlineMs: 60_000,
      intents,
      answers,
      documented: documentedAnswers(join(ROOT, 'services/api-gateway/openapi.json')),
    };
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  test('when the services did their work undisturbed, then every invariant holds, each having checked something', async () => {
    assert.deepEqual(
      intents.map((i) => [i.paid, i.declined]),
      [
        [true, false],
        [true, false],
        [false, true],
      ],
    );

    const invariants = await checkInvariants(evidence);

    for (const invariant of invariants) {
      assert.deepEqual(invariant.violations, [], invariant.name);
      assert.ok(invariant.checked > 0, `${invariant.name} checked nothing`);
    }
  });

  test('when a charge, an order and an answer are each made wrong, then each invariant names what broke it', async () => {
    const [first, second, declined] = intents as [OrderIntent, OrderIntent, OrderIntent];
    const orders = evidence.ordersUrl;
    const payments = evidence.paymentsUrl;
    // The first order's charge was for 1 cent.
    await queryDatabase(payments, `update payments set amount_cents = 1 where order_id = $1`, [
      first.orderId,
    ]);
    // The declined order was charged after all.
    await queryDatabase(
      payments,
      `insert into payments (order_id, amount_cents, currency, status, card_brand, card_last4)
       values ($1, 1400, 'USD', 'succeeded', 'visa', '4242')`,
      [declined.orderId],
    );
    // A charge for an order order-service never made.
    const stranger = randomUUID();
    await queryDatabase(
      payments,
      `insert into payments (order_id, amount_cents, currency, status, card_brand, card_last4)
       values ($1, 1400, 'USD', 'succeeded', 'visa', '4242')`,
      [stranger],
    );
    // The second order is pending a day after it was placed, though its customer was told paid.
    await queryDatabase(
      orders,
      `update orders set status = 'pending', created_at = now() - interval '1 day' where id = $1`,
      [second.orderId],
    );
    // The provider charged an order that payment-service has no successful payment for.
    await queryDatabase(
      payments,
      `insert into card_provider_ledger (idempotency_key, outcome, amount_cents, currency, reference)
       values ($1, 'charged', 1400, 'USD', $2)`,
      [`order-${stranger}-lost`, randomUUID()],
    );
    const teapot: Answer = { operation: 'POST /api/orders', status: 418 };
    // A second successful payment of one order cannot be planted: payment-service's unique index
    // (payments_one_live_per_order) refuses it, so that invariant stays clean here.

    const invariants = await checkInvariants({ ...evidence, answers: [...answers, teapot] });

    const violations = Object.fromEntries(invariants.map((i) => [i.name, i.violations]));
    assert.deepEqual(violations, {
      'a paid order has exactly one successful payment, of its amount and currency': [
        `order ${first.orderId}: 1400 USD, charged 1 USD`,
      ],
      'a declined or cancelled order has no successful payment': [
        `order ${declined.orderId} is payment_declined but was charged`,
      ],
      'no order is left pending past its deadline': [`order ${second.orderId} is still pending`],
      'every successful payment is for an order that exists': [
        `payment for unknown order ${stranger}`,
      ],
      "the card provider's charges are the successful payments, one for one": [
        `charged at the provider, no successful payment: order-${first.orderId} 1400 USD`,
        `charged at the provider, no successful payment: order-${stranger}-lost 1400 USD`,
        `a successful payment the provider never charged: order-${first.orderId} 1 USD`,
        `a successful payment the provider never charged: order-${declined.orderId} 1400 USD`,
        `a successful payment the provider never charged: order-${stranger} 1400 USD`,
      ].sort(),
      'a customer is charged at most once per order it meant to place': [],
      'a customer told "paid" (201) or "declined" (402) finds the order so': [
        `${second.idempotencyKey}: told paid, the order is pending`,
      ],
      'every answer a customer got is one the API documents': ['POST /api/orders 418 (1×)'],
    });
  });
});
