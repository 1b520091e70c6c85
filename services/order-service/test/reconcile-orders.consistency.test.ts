import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createPool, type Pool } from '@sightline/service';
import { queryDatabase } from '../../../test/support/database.ts';
import { freePort } from '../../../test/support/ports.ts';
import { postJson, startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { PaymentClient } from '../src/clients/payment-client.ts';
import { PostgresOrderRepository } from '../src/data/order-repository.ts';
import type { PaymentGateway } from '../src/domain/ports.ts';
import { Reconciler } from '../src/domain/reconciler.ts';

const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };
const MINUTE = 60_000;

/** More than one page of the reconciler's, whatever its page size up to a few hundred. */
const WAITING = 250;
const CHARGED = 250;

/**
 * payment-service as the reconciler sees it, with a note of each order it was asked about, in
 * the order asked: the real client over real HTTP, only watched.
 */
class WatchedPayments implements PaymentGateway {
  readonly asked: string[] = [];
  private readonly client: PaymentClient;
  constructor(client: PaymentClient) {
    this.client = client;
  }
  charge(request: Parameters<PaymentGateway['charge']>[0]) {
    return this.client.charge(request);
  }
  attemptsFor(orderId: string) {
    this.asked.push(orderId);
    return this.client.attemptsFor(orderId);
  }
}

interface OrderRow {
  id: string;
  status: string;
  payment_id: string | null;
}

describe('one reconciler run, over more orders than one page holds', () => {
  let payments: StartedService;
  let orders: StartedService;
  let pool: Pool;
  let repository: PostgresOrderRepository;

  before(async () => {
    // payment-service asks order-service what an order costs: order-service's port comes first.
    const ordersPort = await freePort();
    payments = await startInProcess('payment-service', {
      PROVIDER_LATENCY_MS: '1',
      ORDER_SERVICE_URL: `http://127.0.0.1:${ordersPort}`,
    });
    // Started for its migrated database; its own reconciler waits an hour, so only the runs
    // this test makes touch the orders.
    orders = await startInProcess('order-service', {
      PORT: String(ordersPort),
      PAYMENT_SERVICE_URL: payments.service.url,
      RECONCILE_INTERVAL_MS: String(60 * MINUTE),
    });
    pool = createPool(orders.databaseUrl, { statementTimeoutMs: 5_000 });
    repository = new PostgresOrderRepository(pool);
  });
  after(async () => {
    await pool?.end();
    await orders?.service.stop();
    await payments?.service.stop();
  });

  function reconcilerWatching(paymentDeadlineMs = 24 * 60 * MINUTE): {
    reconciler: Reconciler;
    watched: WatchedPayments;
  } {
    const watched = new WatchedPayments(new PaymentClient(payments.service.url, 2_000));
    const reconciler = new Reconciler({
      repository,
      payments: watched,
      minAgeMs: MINUTE,
      paymentDeadlineMs,
      recheckAfterMs: 30_000,
    });
    return { reconciler, watched };
  }

  /** `count` pending orders, each with an Idempotency-Key (so it may wait for its retry). */
  async function pendingOrders(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const order = await repository.create({
        userId: randomUUID(),
        items: [{ sku: 'SKU-MUG-002', quantity: 1, unitPriceCents: 1400 }],
        totalCents: 1400,
        currency: 'USD',
        idempotencyKey: randomUUID(),
        requestFingerprint: 'test',
      });
      assert.ok(order);
      ids.push(order.id);
    }
    return ids;
  }

  /**
   * Dates the orders `ids`, in that order, from `start` on: three to a second, so a page can
   * end between orders placed at the same instant, and each at a whole second plus 123 µs,
   * finer than a JavaScript Date can hold.
   */
  async function placedInTurn(ids: string[], start: string, column = 'created_at') {
    await queryDatabase(
      orders.databaseUrl,
      `update orders set ${column} = now() - $2::interval
                         + ((t.n - 1) / 3) * interval '1 second' + interval '123 microseconds'
         from unnest($1::uuid[]) with ordinality as t(id, n)
        where orders.id = t.id`,
      [ids, start],
    );
  }

  /** Charges each order at payment-service, as a charge that order-service lost track of. */
  async function chargedAtPaymentService(ids: string[]): Promise<Map<string, string>> {
    const paymentIds = new Map<string, string>();
    for (let first = 0; first < ids.length; first += 25) {
      await Promise.all(
        ids.slice(first, first + 25).map(async (orderId) => {
          const charged = await postJson(`${payments.service.url}/api/payments`, {
            orderId,
            amountCents: 1400,
            currency: 'USD',
            card: CARD,
          });
          assert.equal(charged.status, 201);
          paymentIds.set(orderId, charged.body.id as string);
        }),
      );
    }
    return paymentIds;
  }

  const ordersById = async (ids: string[]) =>
    new Map(
      (
        await queryDatabase<OrderRow>(
          orders.databaseUrl,
          'select id, status, payment_id from orders where id = any($1)',
          [ids],
        )
      ).map((row) => [row.id, row]),
    );

  test('when hundreds of orders wait for their retry ahead of hundreds that were charged, then one run looks at every due order, oldest first, and settles every charged one as paid', async () => {
    const waiting = await pendingOrders(WAITING);
    const charged = await pendingOrders(CHARGED);
    const young = await pendingOrders(3);
    // The waiting orders are the oldest; all are older than the reconciler's minimum age but
    // the three young ones, which may still be in their own request.
    await placedInTurn([...waiting, ...charged], '3 hours');
    const paymentIds = await chargedAtPaymentService(charged);
    const mine = new Set([...waiting, ...charged, ...young]);
    const { reconciler, watched } = reconcilerWatching();

    await reconciler.reconcile();

    // Oldest first, ties by id: the order the database keeps them in.
    const dueOldestFirst = (
      await queryDatabase<{ id: string }>(
        orders.databaseUrl,
        'select id from orders where id = any($1) order by created_at, id',
        [[...waiting, ...charged]],
      )
    ).map((row) => row.id);
    const after = await ordersById([...mine]);
    const unpaid = charged.filter((id) => after.get(id)?.status !== 'paid');
    assert.equal(
      unpaid.length,
      0,
      `${unpaid.length} of ${CHARGED} charged orders were left pending`,
    );
    const asked = watched.asked.filter((id) => mine.has(id));
    assert.equal(
      asked.length,
      dueOldestFirst.length,
      'payment-service was asked about each due order once',
    );
    assert.deepEqual(asked, dueOldestFirst, 'the due orders were not looked at oldest first');
    for (const id of charged) assert.equal(after.get(id)?.payment_id, paymentIds.get(id));
    for (const id of [...waiting, ...young]) assert.equal(after.get(id)?.status, 'pending');
  });

  test('when more orders were cancelled in the last minutes than one page holds, then one run finds the late charges of the newest of them', async () => {
    const cancelled = await pendingOrders(WAITING + 20);
    await queryDatabase(
      orders.databaseUrl,
      `update orders set status = 'cancelled' where id = any($1)`,
      [cancelled],
    );
    await placedInTurn(cancelled, '5 minutes', 'updated_at');
    // The charges order-service gave up on reach payment-service late, for the newest 20.
    const late = cancelled.slice(-20);
    const paymentIds = await chargedAtPaymentService(late);
    const { reconciler } = reconcilerWatching();

    await reconciler.reconcile();

    const after = await ordersById(cancelled);
    const stillCancelled = late.filter((id) => after.get(id)?.status !== 'paid');
    assert.equal(
      stillCancelled.length,
      0,
      `${stillCancelled.length} of 20 late charges were missed`,
    );
    for (const id of late) assert.equal(after.get(id)?.payment_id, paymentIds.get(id));
    for (const id of cancelled.slice(0, -20)) assert.equal(after.get(id)?.status, 'cancelled');
  });

  test('when an order cannot be settled yet, then it is looked at again after 30 s, 1 min, 2 min… and no sooner, and cancelled on its deadline', async () => {
    const [waiting] = await pendingOrders(1);
    const cancelledLately = await pendingOrders(1);
    await placedInTurn([waiting!], '3 hours');
    await queryDatabase(
      orders.databaseUrl,
      `update orders set status = 'cancelled', updated_at = now() - interval '1 minute' where id = $1`,
      [cancelledLately[0]],
    );
    const mine = new Set([waiting!, cancelledLately[0]!]);
    // Its client may retry for 3 hours and 5 minutes: the deadline falls 5 minutes from now.
    const { reconciler, watched } = reconcilerWatching(185 * MINUTE);
    const start = Date.now();
    const at = (seconds: number) => new Date(start + seconds * 1000);
    const lookedAt = async (seconds: number) => {
      const before = watched.asked.length;
      await reconciler.reconcile(at(seconds));
      return watched.asked.slice(before).filter((id) => mine.has(id));
    };

    const looks: Record<number, string[]> = {};
    for (const seconds of [0, 29, 31, 89, 92, 209, 213, 299])
      looks[seconds] = await lookedAt(seconds);

    assert.deepEqual(looks, {
      0: [waiting, cancelledLately[0]],
      29: [],
      31: [waiting, cancelledLately[0]],
      89: [],
      92: [waiting, cancelledLately[0]],
      209: [],
      213: [waiting, cancelledLately[0]],
      // The next wait (4 minutes) would end after the deadline: the next look is at the deadline.
      299: [],
    });
    assert.equal((await ordersById([waiting!])).get(waiting!)?.status, 'pending');
    assert.deepEqual(await lookedAt(301), [waiting]);
    assert.equal((await ordersById([waiting!])).get(waiting!)?.status, 'cancelled');
  });
});
