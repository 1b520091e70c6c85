import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { OTLP_NAMES } from '@sightline/telemetry';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/in-process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { emittedKeys, violations } from '../support/semantic-conventions.ts';
import { newTraceparent, System, type LogLine } from '../support/system.ts';

type Service = 'user-service' | 'order-service' | 'payment-service';

const TOKEN = randomBytes(24).toString('base64url');
const SERVER = 2;
const PASSWORD = 'long enough password';
const paying = { number: '4242424242424242', expMonth: 6, expYear: 2032, cvc: '123' };
// A test card the simulated provider declines (card_declined).
const declining = { ...paying, number: '4000000000000002' };
// The paymentGatewayTimeout fault hangs, then fails, charges for orders holding this SKU.
const TIMEOUT_SKU = 'SKU-MUG-002';

interface PlacedOrder {
  traceId: string;
  status: number;
  orderId: string;
  skus: string[];
  /** Known to both services once payment-service has recorded the attempt. */
  paymentId: string;
}

/** A business event line, as its stdout fields name the facts it must carry. */
interface Expected {
  service: Service;
  event: string;
  message: string;
  traceId: string;
  facts: Record<string, unknown>;
}

describe('a customer registers, then places a paid, a declined and a timed-out order', () => {
  let receiver: OtlpReceiver;
  let system: System;
  let email: string;
  let name: string;
  let userId: string;
  let registrationTraceId: string;
  let paid: PlacedOrder;
  let declined: PlacedOrder;
  let timedOut: PlacedOrder;
  /** The trace of the reconciler run that cancelled the timed-out order. */
  let reconcileTraceId: string;

  /** The one stdout line of `service` for `event` about `id` (an order, or the customer). */
  const eventLines = (service: Service, event: string, id: string) =>
    system
      .logs(service)
      .filter((l) => l.event === event && (l.order_id === id || l.customer_ref === id));

  async function order(skus: string[], card: typeof paying): Promise<PlacedOrder> {
    const { traceparent, traceId } = newTraceparent();
    const response = await postJson(
      `${system.url('api-gateway')}/api/orders`,
      { userId, items: skus.map((sku) => ({ sku, quantity: 1 })), card },
      { traceparent, 'idempotency-key': randomUUID() },
    );
    // The order and its attempt, as the services logged them: the answer does not always say.
    const placed = await eventually(`the order placed in trace ${traceId}`, () =>
      system
        .logs('order-service')
        .find((l) => l.trace_id === traceId && l.event === 'sightline.order.placed'),
    );
    const orderId = String(placed.order_id);
    const attempts = (await (
      await fetch(`${system.url('payment-service')}/api/payments?orderId=${orderId}`)
    ).json()) as { items: { id: string }[] };
    assert.equal(attempts.items.length, 1, `order ${orderId} has one payment attempt`);
    return { traceId, status: response.status, orderId, skus, paymentId: attempts.items[0]!.id };
  }

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      common: { ADMIN_TOKENS: `trainer:${TOKEN}` },
      env: {
        // The reconciler settles the timed-out order within the test: it looks every 200 ms at
        // orders older than 2.5 s. The provider, asked, has no charge for its abandoned attempt. An
        // unpaid order waits for its client's retry 2.5 s, not a day: the run that first looks at
        // it finds nothing charged and the order past its deadline, and cancels it.
        'order-service': {
          RECONCILE_INTERVAL_MS: '200',
          RECONCILE_MIN_AGE_MS: '2500',
          PAYMENT_DEADLINE_MS: '2500',
        },
      },
    });
    const gateway = system.url('api-gateway');

    email = `facts-${randomUUID()}@example.com`;
    name = `Fay ${randomUUID().slice(0, 8)}`;
    const registration = newTraceparent();
    registrationTraceId = registration.traceId;
    const user = await postJson(
      `${gateway}/api/users`,
      { email, name, password: PASSWORD },
      { traceparent: registration.traceparent },
    );
    assert.equal(user.status, 201);
    userId = user.body.id as string;

    const fault = await fetch(
      `${system.url('payment-service')}/admin/faults/paymentGatewayTimeout`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sku: TIMEOUT_SKU, delayMs: 300 }),
      },
    );
    assert.equal(fault.status, 200);

    paid = await order(['SKU-TEE-001', 'SKU-HOD-004'], paying);
    declined = await order(['SKU-TEE-001'], declining);
    timedOut = await order([TIMEOUT_SKU], paying);
    assert.deepEqual([paid.status, declined.status, timedOut.status], [201, 402, 503]);

    const reconciled = await eventually(
      'the reconciler to settle the timed-out order',
      () => eventLines('order-service', 'sightline.order.reconciled', timedOut.orderId)[0],
      20_000,
    );
    reconcileTraceId = String(reconciled.trace_id);
  });

  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  /** The server span of the order's POST to the service (payment-service also asks
   * order-service for the order, in the same trace). */
  const serverSpan = (service: Service, traceId: string) =>
    eventually(`the ${service} server span of trace ${traceId}`, () =>
      receiver.spans.find(
        (s) =>
          s.traceId === traceId &&
          s.service === service &&
          s.kind === SERVER &&
          s.attributes['http.request.method'] === 'POST',
      ),
    );

  test('then the server spans of order-service and payment-service carry the order id, its SKUs and the payment id', async () => {
    for (const placed of [paid, declined, timedOut]) {
      const orders = await serverSpan('order-service', placed.traceId);
      assert.equal(orders.attributes['sightline.order.id'], placed.orderId);
      assert.deepEqual(orders.attributes['sightline.order.skus'], placed.skus);
      assert.equal(orders.attributes['sightline.customer.ref'], userId);
      // A charge that timed out never told order-service which attempt it was.
      if (placed !== timedOut)
        assert.equal(orders.attributes['sightline.payment.id'], placed.paymentId);
      else assert.ok(!('sightline.payment.id' in orders.attributes));

      const payments = await serverSpan('payment-service', placed.traceId);
      assert.equal(payments.attributes['sightline.order.id'], placed.orderId);
      assert.deepEqual(payments.attributes['sightline.order.skus'], placed.skus);
      assert.equal(payments.attributes['sightline.payment.id'], placed.paymentId);
    }
  });

  test('then the domain spans carry the facts they know: the SKUs being priced, the payment being charged', async () => {
    const pricing = await eventually('OrderService.priceItems of the paid order', () =>
      receiver.spans.find(
        (s) => s.traceId === paid.traceId && s.name === 'OrderService.priceItems',
      ),
    );
    assert.deepEqual(pricing.attributes['sightline.order.skus'], paid.skus);
    const charge = await eventually('PaymentProvider.charge of the paid order', () =>
      receiver.spans.find((s) => s.traceId === paid.traceId && s.name === 'PaymentProvider.charge'),
    );
    assert.equal(charge.attributes['sightline.payment.id'], paid.paymentId);
    assert.deepEqual(charge.attributes['sightline.order.skus'], paid.skus);
  });

  test('then each business event is logged once, at info, with its identifiers and trace id, on stdout and over OTLP', async () => {
    const customer = { customer_ref: userId };
    const ofOrder = (o: PlacedOrder) => ({ order_id: o.orderId, skus: o.skus, ...customer });
    const ofPayment = (o: PlacedOrder) => ({
      payment_id: o.paymentId,
      order_id: o.orderId,
      skus: o.skus,
    });
    const expected: Expected[] = [
      {
        service: 'user-service',
        event: 'sightline.user.registered',
        message: 'user registered',
        traceId: registrationTraceId,
        facts: customer,
      },
      ...[paid, declined, timedOut].map((o) => ({
        service: 'order-service' as const,
        event: 'sightline.order.placed',
        message: 'order placed',
        traceId: o.traceId,
        facts: ofOrder(o),
      })),
      {
        service: 'order-service',
        event: 'sightline.order.paid',
        message: 'order paid',
        traceId: paid.traceId,
        facts: { ...ofOrder(paid), payment_id: paid.paymentId },
      },
      {
        service: 'payment-service',
        event: 'sightline.payment.succeeded',
        message: 'payment succeeded',
        traceId: paid.traceId,
        facts: ofPayment(paid),
      },
      {
        service: 'order-service',
        event: 'sightline.order.declined',
        message: 'order declined',
        traceId: declined.traceId,
        facts: { ...ofOrder(declined), payment_id: declined.paymentId },
      },
      {
        service: 'payment-service',
        event: 'sightline.payment.declined',
        message: 'payment declined',
        traceId: declined.traceId,
        facts: { ...ofPayment(declined), decline_reason: 'card_declined' },
      },
      // The timed-out order: its attempt is abandoned when the provider's call times out, and
      // the order is settled by the reconciler in a run of its own.
      {
        service: 'payment-service',
        event: 'sightline.payment.abandoned',
        message: 'payment abandoned',
        traceId: timedOut.traceId,
        facts: { payment_id: timedOut.paymentId, order_id: timedOut.orderId },
      },
      {
        service: 'order-service',
        event: 'sightline.order.cancelled',
        message: 'order cancelled',
        traceId: reconcileTraceId,
        facts: ofOrder(timedOut),
      },
      {
        service: 'order-service',
        event: 'sightline.order.reconciled',
        message: 'order reconciled',
        traceId: reconcileTraceId,
        facts: { ...ofOrder(timedOut), order_status: 'cancelled' },
      },
    ];

    for (const { service, event, message, traceId, facts } of expected) {
      const id = String(facts.order_id ?? facts.customer_ref);
      const lines: LogLine[] = eventLines(service, event, id);
      assert.equal(lines.length, 1, `${service} ${event}: ${JSON.stringify(lines)}`);
      const [line] = lines;
      assert.equal(line?.level, 'info', event);
      assert.equal(line?.msg, message, event);
      assert.equal(line?.trace_id, traceId, event);
      for (const [field, value] of Object.entries(facts))
        assert.deepEqual(line?.[field], value, `${event}: ${field}`);

      // Over OTLP: the message is the body, the facts are `sightline.*` attributes.
      const attribute = (field: string) => OTLP_NAMES[field] ?? field;
      const idAttribute = attribute(facts.order_id ? 'order_id' : 'customer_ref');
      const records = await eventually(`the OTLP record of ${event} for ${id}`, () => {
        const found = receiver.logs.filter(
          (l) => l.service === service && l.body === message && l.attributes[idAttribute] === id,
        );
        return found.length > 0 && found;
      });
      assert.equal(records.length, 1, `${service} ${event} over OTLP`);
      assert.equal(records[0]?.traceId, traceId, event);
      assert.equal(records[0]?.severityText, 'info', event);
      for (const [field, value] of Object.entries(facts))
        assert.deepEqual(records[0]?.attributes[attribute(field)], value, `${event}: ${field}`);
    }
    assert.ok(
      receiver.spans.some(
        (s) => s.traceId === reconcileTraceId && s.name === 'OrderService.reconcile',
      ),
      "the reconciler's events carry the trace of its run",
    );
  });

  test('then the error line of the timed-out charge says "Payment gateway timeout", with the request and the order it failed', async () => {
    // What `{service_name="payment-service"} |= "Payment gateway timeout"` finds.
    const found = await eventually('the error record of the timed-out charge', () => {
      const records = receiver.logs.filter(
        (l) =>
          l.service === 'payment-service' && String(l.body).includes('Payment gateway timeout'),
      );
      return records.length > 0 && records;
    });
    assert.equal(found.length, 1, JSON.stringify(found));
    const [record] = found;
    assert.equal(record?.body, 'Payment gateway timeout');
    assert.equal(record?.severityText, 'error');
    assert.equal(record?.traceId, timedOut.traceId);
    assert.equal(record?.attributes['http.request.method'], 'POST');
    assert.equal(record?.attributes['http.route'], '/api/payments');
    assert.equal(record?.attributes['exception.type'], 'PaymentGatewayTimeout');
    assert.equal(record?.attributes['sightline.order.id'], timedOut.orderId);
    assert.deepEqual(record?.attributes['sightline.order.skus'], [TIMEOUT_SKU]);
    assert.equal(record?.attributes['sightline.payment.id'], timedOut.paymentId);

    const line = system
      .logs('payment-service')
      .find((l) => l.trace_id === timedOut.traceId && l.level === 'error' && 'error.stack' in l);
    assert.equal(line?.msg, 'Payment gateway timeout');
    assert.deepEqual(line?.req, { method: 'POST', url: '/api/payments' });
    assert.equal(line?.route, '/api/payments');
    const errorLines = system.logs().filter((l) => 'error.stack' in l);
    assert.deepEqual(
      errorLines.filter((l) => / failed$/.test(l.msg)),
      [],
      'an error line names the route instead of the error',
    );
  });

  test("then the customer's email, name and password, and the card number, appear in no log line, span or record", async () => {
    // The last batches: every reconciler event has left over OTLP.
    await eventually('the reconciled record', () =>
      receiver.logs.some((l) => l.traceId === reconcileTraceId && l.body === 'order reconciled'),
    );
    const everything = [
      ...system.output.map((o) => o.line),
      ...system.stderr.map((o) => o.line),
      ...receiver.spans.map((s) => JSON.stringify(s)),
      ...receiver.logs.map((l) => JSON.stringify(l)),
    ].join('\n');
    assert.ok(everything.includes(userId), 'the haystack has no customer in it: nothing to search');
    for (const secret of [email, name, PASSWORD, paying.number])
      assert.ok(!everything.includes(secret), `${secret} leaked`);
    assert.deepEqual(violations(emittedKeys(receiver)), []);
  });
});
