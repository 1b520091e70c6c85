import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryDatabase } from '../../../test/support/database.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { startOrderBook, type OrderBook } from '../../../test/support/order-book.ts';

const VISA = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

describe('POST /api/payments with a slow card provider', () => {
  let book: OrderBook;
  let payments: StartedService;
  before(async () => {
    // 250 to 750 ms per provider call.
    book = await startOrderBook();
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '500',
      ORDER_SERVICE_URL: book.url,
    });
  });
  after(async () => {
    await payments.service.stop();
    await book.stop();
  });

  const charge = (orderId: string, card = VISA) =>
    postJson(`${payments.service.url}/api/payments`, {
      orderId,
      amountCents: 4200,
      currency: 'USD',
      card,
    });

  const paymentsOf = (orderId: string) =>
    queryDatabase<{ id: string; status: string }>(
      payments.databaseUrl,
      'select id, status from payments where order_id = $1 order by created_at',
      [orderId],
    );

  /** Connections of this service's database sitting in an open transaction, and advisory locks held. */
  const heldByPaymentService = async () =>
    (
      await queryDatabase<{ in_transaction: number; advisory_locks: number }>(
        payments.databaseUrl,
        `select (select count(*)::int from pg_stat_activity
                  where datname = current_database() and pid <> pg_backend_pid()
                    and state like 'idle in transaction%') as in_transaction,
                (select count(*)::int from pg_locks l join pg_database d on d.oid = l.database
                  where d.datname = current_database() and l.locktype = 'advisory') as advisory_locks`,
      )
    )[0];

  test('when a charge is at the provider, then no database transaction or lock is held meanwhile', async () => {
    const orderId = await book.order();

    const charging = charge(orderId);
    // Wait for the charge to be under way: its attempt recorded, or a transaction open for it.
    const during = await eventually('the charge to be under way', async () => {
      const held = await heldByPaymentService();
      const recorded = (await paymentsOf(orderId)).some((p) => p.status === 'processing');
      return held && (recorded || held.in_transaction > 0 || held.advisory_locks > 0)
        ? held
        : undefined;
    });

    assert.deepEqual(during, { in_transaction: 0, advisory_locks: 0 });
    assert.equal((await charging).status, 201);
    assert.deepEqual(
      (await paymentsOf(orderId)).map((p) => p.status),
      ['succeeded'],
    );
  });

  test('when the same order is charged ten times at once, then the provider is asked once and every caller gets that payment', async () => {
    const orderId = await book.order();

    const responses = await Promise.all(Array.from({ length: 10 }, () => charge(orderId)));

    const [payment] = await paymentsOf(orderId);
    assert.deepEqual(
      (await paymentsOf(orderId)).map((p) => p.status),
      ['succeeded'],
    );
    assert.deepEqual(
      responses.map((r) => r.status).sort(),
      [200, 200, 200, 200, 200, 200, 200, 200, 200, 201],
    );
    assert.deepEqual(new Set(responses.map((r) => r.body.id)), new Set([payment?.id]));
  });

  test('when a declined charge is repeated while it is at the provider, then the repeat gets the same decline', async () => {
    const orderId = await book.order();
    const declining = { ...VISA, number: '4000000000000002' };

    const responses = await Promise.all([charge(orderId, declining), charge(orderId, declining)]);

    assert.deepEqual(
      responses.map((r) => r.status),
      [402, 402],
    );
    assert.equal(responses[0]?.body.paymentId, responses[1]?.body.paymentId);
    assert.deepEqual(
      (await paymentsOf(orderId)).map((p) => p.status),
      ['declined'],
    );
  });

  test('when an attempt was left processing by a process that died, then it shows as abandoned and the order can be charged', async () => {
    const orderId = await book.order();
    await queryDatabase(
      payments.databaseUrl,
      `insert into payments (order_id, amount_cents, currency, status, card_brand, card_last4, created_at)
       values ($1, 4200, 'USD', 'processing', 'visa', '4242', now() - interval '1 hour')`,
      [orderId],
    );

    const listed = await fetch(`${payments.service.url}/api/payments?orderId=${orderId}`);
    const retry = await charge(orderId);

    assert.deepEqual(
      ((await listed.json()) as { items: { status: string }[] }).items.map((p) => p.status),
      ['abandoned'],
    );
    assert.equal(retry.status, 201);
    assert.deepEqual(
      (await paymentsOf(orderId)).map((p) => p.status),
      ['abandoned', 'succeeded'],
    );
  });

  test('when the card has expired, then 400 points at /card/expYear and nothing is stored', async () => {
    const orderId = await book.order();

    const response = await charge(orderId, { ...VISA, expMonth: 1, expYear: 2001 });

    assert.equal(response.status, 400);
    assert.deepEqual(
      (response.body.errors as { pointer: string }[]).map((e) => e.pointer),
      ['/card/expYear'],
    );
    assert.deepEqual(await paymentsOf(orderId), []);
  });
});
