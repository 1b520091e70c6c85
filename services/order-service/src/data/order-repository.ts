import type { Pool } from '@sightline/service';
import type { Order, OrderLine, OrderStatus } from '../domain/order.ts';
import type {
  ListPosition,
  NewOrderRecord,
  OrderRepository,
  Page,
  PageRequest,
  PendingOrder,
  Settlement,
} from '../domain/ports.ts';

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  payment_id: string | null;
  request_fingerprint: string;
  created_at: Date;
  /** `created_at` to the microsecond, where a list of orders stops. */
  position_at: string;
  items: { sku: string; quantity: number; unit_price_cents: number }[];
}

/**
 * A time as ISO 8601 text in UTC, to the microsecond as PostgreSQL keeps it, so a page can
 * resume exactly where the last one ended (`$n::timestamptz` reads it back unchanged).
 */
const exactTime = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** An order with its lines, in one query; each row is one order, so `limit` counts orders. */
const SELECT_ORDERS = `
  select o.id, o.user_id, o.status, o.total_cents, o.currency, o.payment_id,
         o.request_fingerprint, o.created_at, ${exactTime('o.created_at')} as position_at,
         coalesce((select json_agg(json_build_object(
           'sku', i.sku, 'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents
         ) order by i.line) from order_items i where i.order_id = o.id), '[]') as items
    from orders o`;

/** Before every row of a list read oldest first, and before every row of one read newest first. */
const OLDEST_FIRST_START: ListPosition = {
  at: '-infinity',
  id: '00000000-0000-0000-0000-000000000000',
};
const NEWEST_FIRST_START: ListPosition = {
  at: 'infinity',
  id: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
};

/**
 * A page from rows read with `limit + 1`: the extra row, if there is one, says another page
 * follows, so the last page says so without a further query.
 */
function toPage<R extends { id: string; position_at: string }, T>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
): Page<T> {
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return {
    items: rows.slice(0, limit).map(toItem),
    next: last && { at: last.position_at, id: last.id },
  };
}

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    items: row.items.map((item): OrderLine => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPriceCents: item.unit_price_cents,
    })),
    totalCents: row.total_cents,
    currency: row.currency,
    paymentId: row.payment_id,
    createdAt: row.created_at,
  };
}

export class PostgresOrderRepository implements OrderRepository {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async create(order: NewOrderRecord): Promise<Order | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string }>(
        `insert into orders (user_id, status, total_cents, currency, idempotency_key, request_fingerprint)
         values ($1, 'pending', $2, $3, $4, $5)
         on conflict (user_id, idempotency_key) do nothing
         returning id`,
        [
          order.userId,
          order.totalCents,
          order.currency,
          order.idempotencyKey,
          order.requestFingerprint,
        ],
      );
      const id = rows[0]?.id;
      if (!id) {
        await client.query('rollback');
        return undefined;
      }
      await client.query(
        `insert into order_items (order_id, line, sku, quantity, unit_price_cents)
         select $1, line, sku, quantity, unit_price_cents
           from unnest($2::text[], $3::int[], $4::int[]) with ordinality as t(sku, quantity, unit_price_cents, line)`,
        [
          id,
          order.items.map((item) => item.sku),
          order.items.map((item) => item.quantity),
          order.items.map((item) => item.unitPriceCents),
        ],
      );
      await client.query('commit');
      return this.findById(id);
    } catch (error) {
      // On a connection that failed there is nothing to roll back (the server did), and the
      // rollback's own error must not hide why the transaction failed.
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async findById(id: string): Promise<Order | undefined> {
    const { rows } = await this.pool.query<OrderRow>(`${SELECT_ORDERS} where o.id = $1`, [id]);
    return rows[0] && toOrder(rows[0]);
  }

  async findByIdempotencyKey(
    userId: string,
    key: string,
  ): Promise<{ order: Order; requestFingerprint: string } | undefined> {
    const { rows } = await this.pool.query<OrderRow>(
      `${SELECT_ORDERS} where o.user_id = $1 and o.idempotency_key = $2`,
      [userId, key],
    );
    return rows[0] && { order: toOrder(rows[0]), requestFingerprint: rows[0].request_fingerprint };
  }

  async listByUser(userId: string, page: PageRequest): Promise<Page<Order>> {
    const after = page.after ?? NEWEST_FIRST_START;
    const { rows } = await this.pool.query<OrderRow>(
      `${SELECT_ORDERS}
        where o.user_id = $1 and (o.created_at, o.id) < ($2::timestamptz, $3::uuid)
        order by o.created_at desc, o.id desc
        limit $4`,
      [userId, after.at, after.id, page.limit + 1],
    );
    return toPage(rows, page.limit, toOrder);
  }

  async settle(id: string, settlement: Settlement): Promise<{ order: Order; changed: boolean }> {
    // Guarded here, in one statement: only a pending order is settled, except that `paid`
    // also replaces a decline or a cancellation, so a charge that did happen is never hidden.
    const { rowCount } = await this.pool.query(
      `update orders set status = $2, payment_id = $3, updated_at = now(),
                         checks = 0, next_check_at = null
        where id = $1
          and (status = 'pending'
               or ($2 = 'paid' and status in ('payment_declined', 'cancelled')))`,
      [id, settlement.status, settlement.paymentId],
    );
    const order = await this.findById(id);
    if (!order) throw new Error(`order ${id} vanished while being settled`);
    return { order, changed: (rowCount ?? 0) > 0 };
  }

  listPending(createdBefore: Date, now: Date, page: PageRequest): Promise<Page<PendingOrder>> {
    return this.ordersToReconcile({
      condition: `status = 'pending' and created_at < $1`,
      sortedBy: 'created_at',
      at: createdBefore,
      now,
      page,
    });
  }

  listCancelledSince(since: Date, now: Date, page: PageRequest): Promise<Page<PendingOrder>> {
    return this.ordersToReconcile({
      condition: `status = 'cancelled' and payment_id is null and updated_at >= $1`,
      sortedBy: 'updated_at',
      at: since,
      now,
      page,
    });
  }

  async postpone(id: string, until: Date): Promise<void> {
    await this.pool.query(
      'update orders set checks = checks + 1, next_check_at = $2 where id = $1',
      [id, until],
    );
  }

  /**
   * The reconciler's view of the orders a fixed condition selects ($1: a time), a page at a
   * time in the order of `sortedBy` and id, as the indexes of migration 005 hold them.
   */
  private async ordersToReconcile({
    condition,
    sortedBy,
    at,
    now,
    page,
  }: {
    condition: string;
    sortedBy: 'created_at' | 'updated_at';
    at: Date;
    /** Orders whose next check is later than this are left for then. */
    now: Date;
    page: PageRequest;
  }): Promise<Page<PendingOrder>> {
    const after = page.after ?? OLDEST_FIRST_START;
    const { rows } = await this.pool.query<{
      id: string;
      created_at: Date;
      retryable: boolean;
      checks: number;
      position_at: string;
    }>(
      `select id, created_at, idempotency_key is not null as retryable, checks,
              ${exactTime(sortedBy)} as position_at
         from orders
        where ${condition} and (${sortedBy}, id) > ($2::timestamptz, $3::uuid)
          and (next_check_at is null or next_check_at <= $5)
        order by ${sortedBy}, id
        limit $4`,
      [at, after.at, after.id, page.limit + 1, now],
    );
    return toPage(rows, page.limit, (row) => ({
      id: row.id,
      createdAt: row.created_at,
      retryable: row.retryable,
      checks: row.checks,
    }));
  }

  async pendingSummary(): Promise<{ count: number; oldestCreatedAt: Date | undefined }> {
    const { rows } = await this.pool.query<{ count: string; oldest: Date | null }>(
      `select count(*) as count, min(created_at) as oldest from orders where status = 'pending'`,
    );
    return { count: Number(rows[0]?.count ?? 0), oldestCreatedAt: rows[0]?.oldest ?? undefined };
  }
}
