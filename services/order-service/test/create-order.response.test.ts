import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { queryDatabase } from '../../../test/support/database.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { freePort } from '../../../test/support/ports.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

describe('POST /api/orders (order-service with real user-service and payment-service)', () => {
  let users: StartedService;
  let payments: StartedService;
  let orders: StartedService;

  before(async () => {
    users = await startInProcess('user-service');
    // payment-service asks order-service what an order costs: order-service's port comes first.
    const ordersPort = await freePort();
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '10',
      ORDER_SERVICE_URL: `http://127.0.0.1:${ordersPort}`,
    });
    orders = await startInProcess('order-service', {
      PORT: String(ordersPort),
      USER_SERVICE_URL: users.service.url,
      PAYMENT_SERVICE_URL: payments.service.url,
      DEPENDENCY_TIMEOUT_MS: '1000',
    });
  });
  after(async () => {
    await orders.service.stop();
    await payments.service.stop();
    await users.service.stop();
  });

  async function newUser(): Promise<string> {
    const email = `buyer-${randomUUID()}@example.com`;
    const { body } = await postJson(`${users.service.url}/api/users`, {
      email,
      name: 'Buyer',
      password: 'long enough',
    });
    return body.id as string;
  }

  /** An order request; each gets its own Idempotency-Key unless the test sends other headers. */
  const placeOrder = (
    body: unknown,
    headers: Record<string, string> = { 'idempotency-key': randomUUID() },
  ) => postJson(`${orders.service.url}/api/orders`, body, headers);

  const ordersOf = (userId: string) =>
    queryDatabase<{ id: string; status: string }>(
      orders.databaseUrl,
      'select id, status from orders where user_id = $1',
      [userId],
    );

  const countPayments = async () =>
    Number(
      (
        await queryDatabase<{ n: string }>(
          payments.databaseUrl,
          'select count(*) as n from payments',
        )
      )[0]?.n,
    );

  const paymentsFor = (orderId: string) =>
    queryDatabase(payments.databaseUrl, 'select id from payments where order_id = $1', [orderId]);

  test('when the user exists and the items are in the catalog, then the order is priced, paid and stored', async () => {
    const userId = await newUser();

    const response = await placeOrder({
      userId,
      items: [
        { sku: 'SKU-TEE-001', quantity: 2 },
        { sku: 'SKU-MUG-002', quantity: 1 },
      ],
      card: CARD,
    });

    assert.equal(response.status, 201);
    assert.equal(response.body.status, 'paid');
    assert.equal(response.body.totalCents, 2 * 2500 + 1400);
    assert.equal((await paymentsFor(response.body.id as string)).length, 1);
    const listed = await fetch(`${orders.service.url}/api/orders?userId=${userId}`);
    assert.deepEqual(
      ((await listed.json()) as { items: { id: string }[] }).items.map((o) => o.id),
      [response.body.id],
    );
  });

  test('when the user does not exist, then 422 names userId, and no order or payment is made', async () => {
    const userId = randomUUID();
    const paymentsBefore = await countPayments();

    const response = await placeOrder({
      userId,
      items: [{ sku: 'SKU-TEE-001', quantity: 1 }],
      card: CARD,
    });

    assert.equal(response.status, 422);
    assert.deepEqual(
      (response.body.errors as { field: string }[]).map((e) => e.field),
      ['userId'],
    );
    assert.equal((await ordersOf(userId)).length, 0);
    assert.equal(await countPayments(), paymentsBefore);
  });

  test('when the body is invalid, then 400 names each bad field and nothing is written', async () => {
    const userId = await newUser();

    const response = await placeOrder({
      userId,
      items: [{ sku: 'SKU-TEE-001', quantity: 0 }],
      card: { ...CARD, cvc: 'x' },
    });

    assert.equal(response.status, 400);
    const fields = (response.body.errors as { field: string }[]).map((e) => e.field).sort();
    assert.deepEqual(fields, ['card.cvc', 'items[0].quantity']);
    assert.equal((await ordersOf(userId)).length, 0);
  });

  test('when an item is not in the catalog, then 422 names its position', async () => {
    const userId = await newUser();

    const response = await placeOrder({
      userId,
      items: [
        { sku: 'SKU-TEE-001', quantity: 1 },
        { sku: 'NO-SUCH-SKU', quantity: 1 },
      ],
      card: CARD,
    });

    assert.equal(response.status, 422);
    assert.deepEqual(
      (response.body.errors as { field: string }[]).map((e) => e.field),
      ['items[1].sku'],
    );
    assert.equal((await ordersOf(userId)).length, 0);
  });

  test('when the Idempotency-Key is missing, then 400 names the header, and no order or payment is made', async () => {
    const userId = await newUser();
    const paymentsBefore = await countPayments();

    const response = await placeOrder(
      { userId, items: [{ sku: 'SKU-TEE-001', quantity: 1 }], card: CARD },
      {},
    );

    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(response.body.type, 'urn:sightline:problem:validation');
    assert.deepEqual(response.body.errors, [
      {
        field: 'idempotency-key',
        pointer: '/idempotency-key',
        detail:
          'is required: a key for this order attempt, sent again on every retry (1 to 64 characters from A-Z a-z 0-9 _ - : .)',
      },
    ]);
    assert.equal((await ordersOf(userId)).length, 0);
    assert.equal(await countPayments(), paymentsBefore);
  });

  test('when the Idempotency-Key is empty, longer than 64 characters or holds a character outside A-Z a-z 0-9 _ - : ., then 400 names the header and nothing is written', async () => {
    const userId = await newUser();
    const body = { userId, items: [{ sku: 'SKU-TEE-001', quantity: 1 }], card: CARD };
    const paymentsBefore = await countPayments();

    for (const key of ['', 'k'.repeat(65), 'my order', 'order/1', 'order,1', 'caf\u00e9']) {
      const response = await placeOrder(body, { 'idempotency-key': key });
      assert.equal(response.status, 400, `key ${JSON.stringify(key)}`);
      assert.deepEqual(
        (response.body.errors as { field: string; detail: string }[]).map((e) => [
          e.field,
          e.detail,
        ]),
        [['idempotency-key', 'must be 1 to 64 characters from A-Z a-z 0-9 _ - : .']],
      );
    }
    assert.equal((await ordersOf(userId)).length, 0);
    assert.equal(await countPayments(), paymentsBefore);
  });

  test('when the Idempotency-Key is 64 characters of the allowed kinds, or a prefixed UUID, then the order is placed', async () => {
    const userId = await newUser();
    const body = { userId, items: [{ sku: 'SKU-STK-003', quantity: 1 }], card: CARD };

    const longest = await placeOrder(body, { 'idempotency-key': `Az09_-:.${'k'.repeat(56)}` });
    const prefixed = await placeOrder(body, { 'idempotency-key': `load-${randomUUID()}` });

    assert.deepEqual([longest.status, prefixed.status], [201, 201]);
    assert.equal((await ordersOf(userId)).length, 2);
  });

  test('when two users send the same Idempotency-Key, then each gets an order of their own, each charged once', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const key = randomUUID();
    const items = [{ sku: 'SKU-MUG-002', quantity: 1 }];

    const first = await placeOrder(
      { userId: alice, items, card: CARD },
      { 'idempotency-key': key },
    );
    const second = await placeOrder({ userId: bob, items, card: CARD }, { 'idempotency-key': key });

    assert.deepEqual([first.status, second.status], [201, 201]);
    assert.equal(second.headers.get('idempotent-replayed'), null);
    assert.notEqual(second.body.id, first.body.id);
    assert.deepEqual([first.body.userId, second.body.userId], [alice, bob]);
    assert.deepEqual(await ordersOf(alice), [{ id: first.body.id, status: 'paid' }]);
    assert.deepEqual(await ordersOf(bob), [{ id: second.body.id, status: 'paid' }]);
    assert.equal((await paymentsFor(first.body.id as string)).length, 1);
    assert.equal((await paymentsFor(second.body.id as string)).length, 1);
  });

  test('when the same Idempotency-Key is sent twice, then one order and one payment exist, and the second answer says it replayed', async () => {
    const userId = await newUser();
    const body = { userId, items: [{ sku: 'SKU-CAP-005', quantity: 1 }], card: CARD };
    const key = randomUUID();

    const first = await placeOrder(body, { 'idempotency-key': key });
    const second = await placeOrder(body, { 'idempotency-key': key });

    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.body.id, first.body.id);
    assert.equal((await ordersOf(userId)).length, 1);
    assert.equal((await paymentsFor(first.body.id as string)).length, 1);
  });

  test('when an Idempotency-Key is reused for a different order, then 422 and nothing new is made', async () => {
    const userId = await newUser();
    const key = randomUUID();
    await placeOrder(
      { userId, items: [{ sku: 'SKU-CAP-005', quantity: 1 }], card: CARD },
      { 'idempotency-key': key },
    );

    const response = await placeOrder(
      { userId, items: [{ sku: 'SKU-CAP-005', quantity: 3 }], card: CARD },
      { 'idempotency-key': key },
    );

    assert.equal(response.status, 422);
    assert.equal(response.body.type, 'urn:sightline:problem:idempotency-key-reused');
    assert.equal((await ordersOf(userId)).length, 1);
  });

  test('when the card is declined, then 402 and the order is stored as payment_declined', async () => {
    const userId = await newUser();

    const response = await placeOrder({
      userId,
      items: [{ sku: 'SKU-STK-003', quantity: 1 }],
      card: { ...CARD, number: '4000000000000002' },
    });

    assert.equal(response.status, 402);
    assert.equal(response.body.declineReason, 'card_declined');
    assert.deepEqual(await ordersOf(userId), [
      { id: response.body.orderId, status: 'payment_declined' },
    ]);
  });
});
