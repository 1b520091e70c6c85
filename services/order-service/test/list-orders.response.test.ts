import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createPool, type Pool } from '@sightline/service';
import { queryDatabase } from '../../../test/support/database.ts';
import { startInProcess, type StartedService } from '../../../test/support/in-process.ts';
import { freePort } from '../../../test/support/ports.ts';
import { PostgresOrderRepository } from '../src/data/order-repository.ts';

interface ListAnswer {
  status: number;
  body: {
    items?: { id: string }[];
    nextCursor?: string | null;
    errors?: { field: string }[];
  };
}

describe('GET /api/orders?userId=, a page at a time', () => {
  let orders: StartedService;
  let pool: Pool;
  let repository: PostgresOrderRepository;

  before(async () => {
    // Orders are written through the repository, so no user- or payment-service is needed;
    // nothing listens at payment-service's address, and the reconciler waits an hour.
    orders = await startInProcess('order-service', {
      PAYMENT_SERVICE_URL: `http://127.0.0.1:${await freePort()}`,
      RECONCILE_INTERVAL_MS: '3600000',
    });
    pool = createPool(orders.databaseUrl, { statementTimeoutMs: 5_000 });
    repository = new PostgresOrderRepository(pool);
  });
  after(async () => {
    await pool?.end();
    await orders?.service.stop();
  });

  /**
   * `count` orders of `userId`, newest first: placed a second apart but in pairs at the same
   * instant (ties a page may end between), at a time finer than a millisecond.
   */
  async function ordersOf(userId: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const order = await repository.create({
        userId,
        items: [{ sku: 'SKU-STK-003', quantity: 1, unitPriceCents: 500 }],
        totalCents: 500,
        currency: 'USD',
        idempotencyKey: randomUUID(),
        requestFingerprint: 'test',
      });
      assert.ok(order);
      ids.push(order.id);
    }
    await queryDatabase(
      orders.databaseUrl,
      `update orders set created_at = now() - interval '1 hour'
                         + ((t.n - 1) / 2) * interval '1 second' + interval '7 microseconds'
         from unnest($1::uuid[]) with ordinality as t(id, n)
        where orders.id = t.id`,
      [ids],
    );
    const newestFirst = await queryDatabase<{ id: string }>(
      orders.databaseUrl,
      'select id from orders where user_id = $1 order by created_at desc, id desc',
      [userId],
    );
    return newestFirst.map((row) => row.id);
  }

  async function list(query: string): Promise<ListAnswer> {
    const response = await fetch(`${orders.service.url}/api/orders?${query}`);
    return { status: response.status, body: (await response.json()) as ListAnswer['body'] };
  }

  /** Every page from the first, following `nextCursor` until it is null. */
  async function walk(userId: string, limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null | undefined;
    do {
      const answer = await list(
        `userId=${userId}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      pages.push((answer.body.items ?? []).map((order) => order.id));
      cursor = answer.body.nextCursor;
      assert.ok(pages.length <= 10, 'the cursor never reached the last page');
    } while (cursor);
    return pages;
  }

  test('when a user has more orders than a page holds, then the pages give each order once, newest first, and the last says there is no next', async () => {
    const userId = randomUUID();
    const newestFirst = await ordersOf(userId, 7);
    await ordersOf(randomUUID(), 3);

    const pages = await walk(userId, 3);

    assert.deepEqual(
      pages.map((page) => page.length),
      [3, 3, 1],
    );
    assert.deepEqual(pages.flat(), newestFirst);
  });

  test('when the orders fill the last page exactly, then that page already says there is no next', async () => {
    const userId = randomUUID();
    const newestFirst = await ordersOf(userId, 6);

    const pages = await walk(userId, 3);

    assert.deepEqual(pages, [newestFirst.slice(0, 3), newestFirst.slice(3)]);
  });

  test('when no limit is given, then a page holds 20 orders and a cursor to the rest', async () => {
    const userId = randomUUID();
    const newestFirst = await ordersOf(userId, 21);

    const first = await list(`userId=${userId}`);
    const rest = await list(`userId=${userId}&cursor=${first.body.nextCursor}`);

    assert.deepEqual(
      first.body.items?.map((order) => order.id),
      newestFirst.slice(0, 20),
    );
    assert.deepEqual(
      rest.body.items?.map((order) => order.id),
      newestFirst.slice(20),
    );
    assert.equal(rest.body.nextCursor, null);
  });

  test('when the user has no orders, then the one page is empty and has no next', async () => {
    const answer = await list(`userId=${randomUUID()}`);

    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { items: [], nextCursor: null });
  });

  test('when the limit is not a whole number from 1 to 100, then 400 names limit', async () => {
    const userId = randomUUID();
    for (const limit of ['0', '101', '-1', '2.5', 'ten', '', '1e1', '20&limit=30']) {
      const answer = await list(`userId=${userId}&limit=${limit}`);

      assert.equal(answer.status, 400, `limit=${limit}`);
      assert.deepEqual(
        answer.body.errors?.map((error) => error.field),
        ['limit'],
        `limit=${limit}`,
      );
    }
  });

  test('when the cursor is not one a page gave out, then 400 names cursor', async () => {
    const userId = randomUUID();
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const id = randomUUID();
    const wellFormed = cursorOf(['2024-01-01T00:00:00.000000Z', id]);
    const malformed = [
      'not%20a%20cursor!',
      '',
      Buffer.from('not json').toString('base64url'),
      cursorOf({ at: '2024-01-01T00:00:00.000000Z', id }),
      cursorOf(['2024-01-01T00:00:00.000Z', id]),
      cursorOf(['2024-02-30T00:00:00.000000Z', id]),
      cursorOf(['2024-01-01T24:00:00.000000Z', id]),
      cursorOf(['0000-01-01T00:00:00.000000Z', id]),
      cursorOf(['infinity', id]),
      cursorOf(['2024-01-01T00:00:00.000000Z', 'not-a-uuid']),
      `${wellFormed}&cursor=${wellFormed}`,
    ];
    assert.equal((await list(`userId=${userId}&cursor=${wellFormed}`)).status, 200);
    for (const cursor of malformed) {
      const answer = await list(`userId=${userId}&cursor=${cursor}`);

      assert.equal(answer.status, 400, `cursor=${cursor}`);
      assert.deepEqual(
        answer.body.errors?.map((error) => error.field),
        ['cursor'],
        `cursor=${cursor}`,
      );
    }
  });
});
