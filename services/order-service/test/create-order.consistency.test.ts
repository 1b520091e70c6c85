import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { setFaultInjector } from '@sightline/service';
import { queryDatabase } from '../../../test/support/database.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { freePort } from '../../../test/support/ports.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

interface System {
  users: StartedService;
  payments: StartedService;
  orders: StartedService;
}

/** user-, payment- and order-service in this process, over real HTTP and real PostgreSQL. */
async function startSystem(env: {
  payments: Record<string, string>;
  orders: Record<string, string>;
}): Promise<System> {
  const users = await startInProcess('user-service');
  // payment-service asks order-service what an order costs: order-service's port comes first.
  const ordersPort = await freePort();
  const payments = await startInProcess('payment-service', {
    ORDER_SERVICE_URL: `http://127.0.0.1:${ordersPort}`,
    ...env.payments,
  });
  const orders = await startInProcess('order-service', {
    PORT: String(ordersPort),
    USER_SERVICE_URL: users.service.url,
    PAYMENT_SERVICE_URL: payments.service.url,
    ...env.orders,
  });
  return { users, payments, orders };
}

async function stopSystem(system: System | undefined): Promise<void> {
  await system?.orders.service.stop();
  await system?.payments.service.stop();
  await system?.users.service.stop();
}

async function newUser(system: System): Promise<string> {
  const { body } = await postJson(`${system.users.service.url}/api/users`, {
    email: `buyer-${randomUUID()}@example.com`,
    name: 'Buyer',
    password: 'long enough',
  });
  return body.id as string;
}

interface OrderRow {
  id: string;
  status: string;
  payment_id: string | null;
}
interface PaymentRow {
  id: string;
  status: string;
}

const ordersOf = (system: System, userId: string) =>
  queryDatabase<OrderRow>(
    system.orders.databaseUrl,
    'select id, status, payment_id from orders where user_id = $1',
    [userId],
  );

const paymentsFor = (system: System, orderId: string) =>
  queryDatabase<PaymentRow>(
    system.payments.databaseUrl,
    'select id, status from payments where order_id = $1 order by created_at',
    [orderId],
  );

const countPayments = async (system: System) =>
  Number(
    (
      await queryDatabase<{ n: string }>(
        system.payments.databaseUrl,
        'select count(*) as n from payments',
      )
    )[0]?.n,
  );

/** Exactly one order for the user, settled as `status`, with at most one successful payment that matches it. */
async function assertOneOrderSettled(system: System, userId: string, status: string) {
  const orders = await ordersOf(system, userId);
  assert.equal(orders.length, 1, JSON.stringify(orders));
  const [order] = orders as [OrderRow];
  assert.equal(order.status, status);
  const succeeded = (await paymentsFor(system, order.id)).filter((p) => p.status === 'succeeded');
  assert.ok(succeeded.length <= 1, JSON.stringify(succeeded));
  assert.equal(order.payment_id, status === 'paid' ? succeeded[0]?.id : order.payment_id);
  return order;
}

describe('placing an order stays consistent when parts of it fail', () => {
  let system: System;
  before(async () => {
    system = await startSystem({
      payments: { PROVIDER_LATENCY_MS: '30' },
      orders: {
        DEPENDENCY_TIMEOUT_MS: '1000',
        RECONCILE_INTERVAL_MS: '100',
        RECONCILE_MIN_AGE_MS: '1500',
      },
    });
  });
  afterEach(() => setFaultInjector(undefined));
  after(() => stopSystem(system));

  /** An order request; each gets its own Idempotency-Key unless the test sends other headers. */
  const placeOrder = (
    body: unknown,
    headers: Record<string, string> = { 'idempotency-key': randomUUID() },
  ) => postJson(`${system.orders.service.url}/api/orders`, body, headers);

  /**
   * Makes the user's order with these items one placed before the Idempotency-Key was
   * required, as the database may still hold: one without a key.
   */
  const dropKey = (userId: string, sku: string) =>
    queryDatabase(
      system.orders.databaseUrl,
      `update orders set idempotency_key = null
        where user_id = $1 and id in (select order_id from order_items where sku = $2)`,
      [userId, sku],
    );

  test('when the card number fails its checksum, then 400 points at /card/number and no order or payment is written', async () => {
    const userId = await newUser(system);
    const paymentsBefore = await countPayments(system);

    const response = await placeOrder({
      userId,
      items: [{ sku: 'SKU-TEE-001', quantity: 1 }],
      card: { ...CARD, number: '4242424242424241' },
    });

    assert.equal(response.status, 400);
    assert.deepEqual(
      (response.body.errors as { pointer: string }[]).map((e) => e.pointer),
      ['/card/number'],
    );
    assert.deepEqual(await ordersOf(system, userId), []);
    assert.equal(await countPayments(system), paymentsBefore);
  });

  test('when the card has expired, then 400 points at /card/expYear and no order or payment is written', async () => {
    const userId = await newUser(system);
    const paymentsBefore = await countPayments(system);

    const response = await placeOrder({
      userId,
      items: [{ sku: 'SKU-TEE-001', quantity: 1 }],
      card: { ...CARD, expMonth: 1, expYear: 2001 },
    });

    assert.equal(response.status, 400);
    assert.deepEqual(
      (response.body.errors as { pointer: string }[]).map((e) => e.pointer),
      ['/card/expYear'],
    );
    assert.ok(!JSON.stringify(response.body).includes(CARD.number.slice(0, 12)));
    assert.deepEqual(await ordersOf(system, userId), []);
    assert.equal(await countPayments(system), paymentsBefore);
  });

  test('when ten requests with the same Idempotency-Key arrive at once, then one order is paid by one payment and all ten answer with it', async () => {
    const userId = await newUser(system);
    const body = { userId, items: [{ sku: 'SKU-HOD-004', quantity: 1 }], card: CARD };
    const key = randomUUID();

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => placeOrder(body, { 'idempotency-key': key })),
    );

    assert.deepEqual(
      responses.map((r) => r.status),
      Array.from({ length: 10 }, () => 201),
    );
    assert.equal(new Set(responses.map((r) => r.body.id)).size, 1);
    assert.deepEqual(new Set(responses.map((r) => r.body.status)), new Set(['paid']));
    const order = await assertOneOrderSettled(system, userId, 'paid');
    assert.deepEqual(
      (await paymentsFor(system, order.id)).map((p) => p.status),
      ['succeeded'],
    );
  });

  test('when recording the payment fails after the charge succeeded, then the order stays pending, and the reconciler settles it as paid', async () => {
    const userId = await newUser(system);
    // A real database failure, for this user's orders only: any update that settles them fails.
    const trigger = `fail_settle_${userId.replaceAll('-', '')}`;
    await queryDatabase(
      system.orders.databaseUrl,
      `create function ${trigger}() returns trigger language plpgsql as
         $$ begin raise exception 'settling is broken'; end $$;
       create trigger ${trigger} before update on orders for each row
         when (new.user_id = '${userId}' and new.status <> 'pending') execute function ${trigger}()`,
    );

    const response = await placeOrder(
      { userId, items: [{ sku: 'SKU-MUG-002', quantity: 1 }], card: CARD },
      { 'idempotency-key': randomUUID() },
    );

    assert.equal(response.status, 500);
    const [pending] = await ordersOf(system, userId);
    assert.equal(pending?.status, 'pending');
    assert.deepEqual(
      (await paymentsFor(system, pending.id)).map((p) => p.status),
      ['succeeded'],
    );

    await queryDatabase(
      system.orders.databaseUrl,
      `drop trigger ${trigger} on orders; drop function ${trigger}()`,
    );
    await eventually('the reconciler to settle the order', async () =>
      (await ordersOf(system, userId))[0]?.status === 'paid' ? true : undefined,
    );
    await assertOneOrderSettled(system, userId, 'paid');
  });

  test('when payment-service cannot be reached, then an order without an Idempotency-Key (from before it was required) is cancelled, and one with a key waits for its retry', async () => {
    setFaultInjector({
      onRequest: () => {},
      onCall: ({ dependency, method }) => {
        if (dependency === 'payment-service' && method === 'POST') throw new Error('injected');
      },
    });
    const userId = await newUser(system);
    const keyed = { userId, items: [{ sku: 'SKU-CAP-005', quantity: 1 }], card: CARD };
    const key = randomUUID();
    const first = await placeOrder(keyed, { 'idempotency-key': key });
    const second = await placeOrder({ ...keyed, items: [{ sku: 'SKU-STK-003', quantity: 2 }] });
    assert.deepEqual([first.status, second.status], [503, 503]);
    await dropKey(userId, 'SKU-STK-003');

    // Oldest first: by the time the newer, key-less order is cancelled, the keyed one was seen.
    await eventually('the key-less order to be cancelled', async () =>
      (await ordersOf(system, userId)).some((o) => o.status === 'cancelled') ? true : undefined,
    );
    const statuses = Object.fromEntries(
      (await ordersOf(system, userId)).map((o) => [o.status, o.payment_id]),
    );
    assert.deepEqual(statuses, { pending: null, cancelled: null });

    setFaultInjector(undefined);
    const retry = await placeOrder(keyed, { 'idempotency-key': key });
    assert.equal(retry.status, 201);
    assert.equal(retry.body.status, 'paid');
    const paid = (await ordersOf(system, userId)).find((o) => o.status === 'paid');
    assert.deepEqual(
      (await paymentsFor(system, paid?.id ?? '')).map((p) => p.id),
      [paid?.payment_id],
    );
  });
  test('when a charge reaches payment-service after its order was cancelled, then the reconciler settles the order as paid', async () => {
    setFaultInjector({
      onRequest: () => {},
      onCall: ({ dependency, method }) => {
        if (dependency === 'payment-service' && method === 'POST') throw new Error('injected');
      },
    });
    const userId = await newUser(system);
    const placed = await placeOrder({
      userId,
      items: [{ sku: 'SKU-MUG-002', quantity: 1 }],
      card: CARD,
    });
    assert.equal(placed.status, 503);
    await dropKey(userId, 'SKU-MUG-002');
    await eventually('the key-less order to be cancelled', async () =>
      (await ordersOf(system, userId))[0]?.status === 'cancelled' ? true : undefined,
    );
    setFaultInjector(undefined);
    const [order] = (await ordersOf(system, userId)) as [OrderRow];

    // The charge order-service gave up on arrives at payment-service late, and succeeds.
    const late = await postJson(`${system.payments.service.url}/api/payments`, {
      orderId: order.id,
      amountCents: 1400,
      currency: 'USD',
      card: CARD,
    });
    assert.equal(late.status, 201);

    await eventually('the reconciler to settle the cancelled order as paid', async () =>
      (await ordersOf(system, userId))[0]?.status === 'paid' ? true : undefined,
    );
    const settled = await assertOneOrderSettled(system, userId, 'paid');
    assert.equal(settled.payment_id, late.body.id);
  });

  test('when an order with an Idempotency-Key is still unpaid at the payment deadline, then it is cancelled and a late retry is refused without charging', async () => {
    setFaultInjector({
      onRequest: () => {},
      onCall: ({ dependency, method }) => {
        if (dependency === 'payment-service' && method === 'POST') throw new Error('injected');
      },
    });
    const userId = await newUser(system);
    const body = { userId, items: [{ sku: 'SKU-MUG-002', quantity: 3 }], card: CARD };
    const key = randomUUID();
    assert.equal((await placeOrder(body, { 'idempotency-key': key })).status, 503);
    setFaultInjector(undefined);
    // Placed longer ago than PAYMENT_DEADLINE_MS (a day, by default).
    await queryDatabase(
      system.orders.databaseUrl,
      `update orders set created_at = now() - interval '25 hours' where user_id = $1`,
      [userId],
    );

    await eventually('the reconciler to cancel the order', async () =>
      (await ordersOf(system, userId))[0]?.status === 'cancelled' ? true : undefined,
    );
    const retry = await placeOrder(body, { 'idempotency-key': key });

    assert.equal(retry.status, 409);
    assert.equal(retry.body.type, 'urn:sightline:problem:order-cancelled');
    const order = await assertOneOrderSettled(system, userId, 'cancelled');
    assert.deepEqual(await paymentsFor(system, order.id), []);
  });
});

describe('payment-service answers after order-service has given up waiting', () => {
  let system: System;
  before(async () => {
    system = await startSystem({
      // The simulated provider answers in 0.5 to 1.5 times its latency: 400 to 1200 ms here.
      payments: { PROVIDER_LATENCY_MS: '800' },
      orders: {
        DEPENDENCY_TIMEOUT_MS: '200',
        RECONCILE_INTERVAL_MS: '100',
        RECONCILE_MIN_AGE_MS: '300',
      },
    });
  });
  after(() => stopSystem(system));

  test('when the charge times out at order-service but succeeds at payment-service, then the reconciler settles the order as paid', async () => {
    const userId = await newUser(system);

    const response = await postJson(
      `${system.orders.service.url}/api/orders`,
      { userId, items: [{ sku: 'SKU-TEE-001', quantity: 1 }], card: CARD },
      { 'idempotency-key': randomUUID() },
    );

    assert.equal(response.status, 503);
    assert.equal(response.body.dependency, 'payment-service');
    await eventually(
      'the reconciler to settle the order',
      async () => ((await ordersOf(system, userId))[0]?.status === 'paid' ? true : undefined),
      10_000,
    );
    const order = await assertOneOrderSettled(system, userId, 'paid');
    assert.deepEqual(
      (await paymentsFor(system, order.id)).map((p) => p.status),
      ['succeeded'],
    );
  });
});
