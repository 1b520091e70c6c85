import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { queryDatabase } from '../../../test/support/database.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { startOrderBook, type OrderBook } from '../../../test/support/order-book.ts';

const VISA = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
const DECLINING_VISA = { ...VISA, number: '4000000000000002' };

describe('POST /api/payments', () => {
  let book: OrderBook;
  let payments: StartedService;
  before(async () => {
    book = await startOrderBook();
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '20',
      ORDER_SERVICE_URL: book.url,
    });
  });
  after(async () => {
    await payments.service.stop();
    await book.stop();
  });

  const charge = (orderId: string, card = VISA, amount = { amountCents: 4200, currency: 'USD' }) =>
    postJson(`${payments.service.url}/api/payments`, { orderId, ...amount, card });

  /** What the card provider's ledger holds for the order's charge. */
  const ledgerOf = (orderId: string) =>
    queryDatabase<{ outcome: string; amount_cents: number }>(
      payments.databaseUrl,
      'select outcome, amount_cents from card_provider_ledger where idempotency_key = $1',
      [`order-${orderId}`],
    );

  const paymentsOf = (orderId: string) =>
    queryDatabase<{ status: string; card_last4: string }>(
      payments.databaseUrl,
      'select status, card_last4 from payments where order_id = $1',
      [orderId],
    );

  test('when the card is good, then 201 with a succeeded payment that keeps only brand and last four digits', async () => {
    const orderId = await book.order();

    const response = await charge(orderId);

    assert.equal(response.status, 201);
    assert.equal(response.body.status, 'succeeded');
    assert.deepEqual(response.body.card, { brand: 'visa', last4: '4242' });
    assert.ok(!JSON.stringify(response.body).includes(VISA.number));
    assert.deepEqual(await paymentsOf(orderId), [{ status: 'succeeded', card_last4: '4242' }]);
  });

  test('when an order is charged again, then the first payment comes back (200) and nothing new is charged', async () => {
    const orderId = await book.order();
    const first = await charge(orderId);

    const second = await charge(orderId);

    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    assert.equal((await paymentsOf(orderId)).length, 1);
  });

  test('when the same order is charged five times at once, then exactly one payment succeeds', async () => {
    const orderId = await book.order();

    const responses = await Promise.all([1, 2, 3, 4, 5].map(() => charge(orderId)));

    assert.equal(new Set(responses.map((r) => r.body.id)).size, 1);
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 200, 200, 200, 201]);
    assert.equal((await paymentsOf(orderId)).length, 1);
  });

  test('when the card is declined, then 402 names the reason and the declined attempt is on record', async () => {
    const orderId = await book.order();

    const response = await charge(orderId, DECLINING_VISA);

    assert.equal(response.status, 402);
    assert.equal(response.body.declineReason, 'card_declined');
    assert.deepEqual(await paymentsOf(orderId), [{ status: 'declined', card_last4: '0002' }]);
  });

  test('when the card number fails its checksum, then 400 names card.number and nothing is stored', async () => {
    const orderId = await book.order();

    const response = await charge(orderId, { ...VISA, number: '4242424242424241' });

    assert.equal(response.status, 400);
    const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
    assert.deepEqual(fields, ['card.number']);
    assert.equal((await paymentsOf(orderId)).length, 0);
  });

  test("when the amount is not the order's, then 422 names amountCents and nothing is charged", async () => {
    const orderId = await book.order(4200);

    const response = await charge(orderId, VISA, { amountCents: 1, currency: 'USD' });

    assert.equal(response.status, 422);
    assert.equal(response.body.type, 'urn:sightline:problem:charge-does-not-match-order');
    assert.deepEqual(
      (response.body.errors as { field: string; pointer: string }[]).map((e) => [
        e.field,
        e.pointer,
      ]),
      [['amountCents', '/amountCents']],
    );
    assert.deepEqual(await paymentsOf(orderId), []);
    assert.deepEqual(await ledgerOf(orderId), []);
  });

  test("when the currency is not the order's, then 422 names currency and nothing is charged", async () => {
    const orderId = await book.order(4200, 'USD');

    const response = await charge(orderId, VISA, { amountCents: 4200, currency: 'EUR' });

    assert.equal(response.status, 422);
    assert.deepEqual(
      (response.body.errors as { field: string }[]).map((e) => e.field),
      ['currency'],
    );
    assert.deepEqual(await paymentsOf(orderId), []);
    assert.deepEqual(await ledgerOf(orderId), []);
  });

  test('when order-service has no such order, then 422 names orderId and nothing is charged', async () => {
    const orderId = randomUUID();

    const response = await charge(orderId);

    assert.equal(response.status, 422);
    assert.equal(response.body.type, 'urn:sightline:problem:unknown-order');
    assert.deepEqual(
      (response.body.errors as { field: string }[]).map((e) => e.field),
      ['orderId'],
    );
    assert.deepEqual(await paymentsOf(orderId), []);
    assert.deepEqual(await ledgerOf(orderId), []);
  });

  test("when an order is charged, then the provider's ledger holds one charge under the order's key, for its amount", async () => {
    const orderId = await book.order(4200);

    await charge(orderId);
    await charge(orderId);

    assert.deepEqual(await ledgerOf(orderId), [{ outcome: 'charged', amount_cents: 4200 }]);
  });
});
