import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { queryDatabase } from '../../../test/support/database.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { startOrderBook, type OrderBook } from '../../../test/support/order-book.ts';

// This file runs as payment-service, so its admin API serves payment-service's faults.
const TOKEN = randomBytes(24).toString('base64url');
const VISA = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
const SKU = 'SKU-TEE-001';

/**
 * Charges whose outcome payment-service did not hear: the card provider timed out or failed,
 * before or after it charged the card, its answer came after the processing timeout, or the
 * process charging it died. The provider's ledger says what happened; payment-service asks it.
 */
describe('POST /api/payments when the outcome of an earlier attempt is unknown', () => {
  let book: OrderBook;
  let payments: StartedService;
  before(async () => {
    book = await startOrderBook();
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '20',
      ORDER_SERVICE_URL: book.url,
      ADMIN_TOKENS: `trainer:${TOKEN}`,
    });
  });
  afterEach(async () => {
    await fault('DELETE', '');
  });
  after(async () => {
    await payments.service.stop();
    await book.stop();
  });

  async function fault(method: 'PUT' | 'DELETE', name: string, options?: unknown) {
    const response = await fetch(`${payments.service.url}/admin/faults${name && `/${name}`}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: options === undefined ? undefined : JSON.stringify(options),
    });
    assert.equal(response.status, 200, await response.text());
  }

  const charge = (orderId: string) =>
    postJson(`${payments.service.url}/api/payments`, {
      orderId,
      amountCents: 4200,
      currency: 'USD',
      card: VISA,
      skus: [SKU],
    });

  const attemptsOf = (orderId: string) =>
    queryDatabase<{ id: string; status: string }>(
      payments.databaseUrl,
      'select id, status from payments where order_id = $1 order by created_at, id',
      [orderId],
    );

  /** The card provider's ledger for the order's key: what it charged, and for which attempt. */
  const ledgerOf = (orderId: string) =>
    queryDatabase<{ outcome: string; reference: string }>(
      payments.databaseUrl,
      'select outcome, reference from card_provider_ledger where idempotency_key = $1',
      [`order-${orderId}`],
    );

  test('when the provider timed out after charging, then a retry asks it, records that charge on the first attempt and charges nothing again', async () => {
    const orderId = await book.order();
    await fault('PUT', 'paymentGatewayTimeout', { sku: SKU, delayMs: 50, when: 'after' });

    const timedOut = await charge(orderId);
    // The fault stays on: the retry must not need the provider to charge anything.
    const retry = await charge(orderId);

    assert.equal(timedOut.status, 504);
    const [first] = await attemptsOf(orderId);
    assert.deepEqual(await attemptsOf(orderId), [{ id: first?.id, status: 'succeeded' }]);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.id, first?.id);
    assert.equal(retry.body.status, 'succeeded');
    assert.deepEqual(await ledgerOf(orderId), [{ outcome: 'charged', reference: first?.id }]);
  });

  test('when the provider failed after charging, then a retry gets that charge, and the provider charged once', async () => {
    const orderId = await book.order();
    await fault('PUT', 'paymentFailure', { percent: 100, when: 'after' });

    const failed = await charge(orderId);
    const retry = await charge(orderId);

    assert.equal(failed.status, 502);
    assert.equal(retry.status, 200);
    assert.deepEqual(
      (await attemptsOf(orderId)).map((a) => a.status),
      ['succeeded'],
    );
    assert.deepEqual(
      (await ledgerOf(orderId)).map((l) => l.reference),
      [retry.body.id],
    );
  });

  test('when the provider timed out before charging, then a retry hears nothing was charged and charges once, under the same key', async () => {
    const orderId = await book.order();
    await fault('PUT', 'paymentGatewayTimeout', { sku: SKU, delayMs: 50, when: 'before' });
    const timedOut = await charge(orderId);
    assert.deepEqual(await ledgerOf(orderId), []);
    await fault('DELETE', '');

    const retry = await charge(orderId);

    assert.equal(timedOut.status, 504);
    assert.equal(retry.status, 201);
    const attempts = await attemptsOf(orderId);
    assert.deepEqual(
      attempts.map((a) => a.status),
      ['abandoned', 'succeeded'],
    );
    assert.deepEqual(await ledgerOf(orderId), [{ outcome: 'charged', reference: retry.body.id }]);
  });

  test('when a process died after the provider charged its attempt, then the next charge asks the provider and records that charge instead of starting another attempt', async () => {
    const orderId = await book.order();
    // The attempt a dead process left `processing`, and the charge the provider made for it.
    const [dead] = await queryDatabase<{ id: string }>(
      payments.databaseUrl,
      `insert into payments (order_id, amount_cents, currency, status, card_brand, card_last4, created_at)
       values ($1, 4200, 'USD', 'processing', 'visa', '4242', now() - interval '1 hour')
       returning id`,
      [orderId],
    );
    await queryDatabase(
      payments.databaseUrl,
      `insert into card_provider_ledger (idempotency_key, outcome, amount_cents, currency, reference)
       values ($1, 'charged', 4200, 'USD', $2)`,
      [`order-${orderId}`, dead?.id],
    );

    const response = await charge(orderId);

    assert.equal(response.status, 200);
    assert.equal(response.body.id, dead?.id);
    assert.deepEqual(await attemptsOf(orderId), [{ id: dead?.id, status: 'succeeded' }]);
    assert.equal((await ledgerOf(orderId)).length, 1);
  });

  test('when the reconciler lists an order whose dead attempt the provider charged, then it sees the attempt succeeded', async () => {
    const orderId = await book.order();
    const [dead] = await queryDatabase<{ id: string }>(
      payments.databaseUrl,
      `insert into payments (order_id, amount_cents, currency, status, card_brand, card_last4, created_at)
       values ($1, 4200, 'USD', 'processing', 'visa', '4242', now() - interval '1 hour')
       returning id`,
      [orderId],
    );
    await queryDatabase(
      payments.databaseUrl,
      `insert into card_provider_ledger (idempotency_key, outcome, amount_cents, currency, reference)
       values ($1, 'charged', 4200, 'USD', $2)`,
      [`order-${orderId}`, dead?.id],
    );

    const listed = await fetch(`${payments.service.url}/api/payments?orderId=${orderId}`);

    assert.deepEqual(
      ((await listed.json()) as { items: { id: string; status: string }[] }).items.map((p) => [
        p.id,
        p.status,
      ]),
      [[dead?.id, 'succeeded']],
    );
  });
});

describe('POST /api/payments when the provider answers after the processing timeout', () => {
  let book: OrderBook;
  let payments: StartedService;
  before(async () => {
    book = await startOrderBook();
    // 1 to 3 s per provider call: time to make the attempt look overdue while it is at the provider.
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '2000',
      ORDER_SERVICE_URL: book.url,
    });
  });
  after(async () => {
    await payments.service.stop();
    await book.stop();
  });

  test('when an attempt was given up on as overdue and its answer comes after all, then the answer is recorded and returned', async () => {
    const orderId = await book.order();
    const charging = postJson(`${payments.service.url}/api/payments`, {
      orderId,
      amountCents: 4200,
      currency: 'USD',
      card: VISA,
    });
    const attempt = await eventually('the attempt at the provider', async () => {
      const [row] = await queryDatabase<{ id: string }>(
        payments.databaseUrl,
        `select id from payments where order_id = $1 and status = 'processing'`,
        [orderId],
      );
      return row;
    });
    // The attempt is made to look older than PROCESSING_TIMEOUT_MS (60 s) while the provider
    // still works on it: the reconciler's look then gives it up as `abandoned`.
    await queryDatabase(
      payments.databaseUrl,
      `update payments set created_at = now() - interval '1 hour' where id = $1`,
      [attempt.id],
    );
    const listed = await fetch(`${payments.service.url}/api/payments?orderId=${orderId}`);
    const given = ((await listed.json()) as { items: { status: string }[] }).items;

    const answered = await charging;

    assert.deepEqual(
      given.map((p) => p.status),
      ['abandoned'],
    );
    assert.equal(answered.status, 201);
    assert.equal(answered.body.id, attempt.id);
    assert.equal(answered.body.status, 'succeeded');
    const [stored] = await queryDatabase<{ status: string }>(
      payments.databaseUrl,
      'select status from payments where id = $1',
      [attempt.id],
    );
    assert.equal(stored?.status, 'succeeded');
  });
});
