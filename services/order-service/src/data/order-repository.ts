import type { Pool } from '@sightline/telemetry';
import type { Order, OrderLine, OrderStatus } from '../domain/order.ts';
import type { NewOrderRecord, OrderRepository, PendingOrder, Settlement } from '../domain/ports.ts';

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  payment_id: string | null;
  request_fingerprint: string;
  created_at: Date;
  items: { sku: string; quantity: number; unit_price_cents: number }[];
}

/** An order with its lines, in one query. */
const SELECT_ORDERS = `
  select o.id, o.user_id, o.status, o.total_cents, o.currency, o.payment_id,
         o.request_fingerprint, o.created_at,
         coalesce(json_agg(json_build_object(
           'sku', i.sku, 'quantity', i.quantity, 'unit_price_cents', i.unit_price_cents
         ) order by i.line) filter (where i.order_id is not null), '[]') as items
    from orders o
    left join order_items i on i.order_id = o.id`;

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
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }

  async findById(id: string): Promise<Order | undefined> {
    const { rows } = await this.pool.query<OrderRow>(
      `${SELECT_ORDERS} where o.id = $1 group by o.id`,
      [id],
    );
    return rows[0] && toOrder(rows[0]);
  }

  async findByIdempotencyKey(
    userId: string,
    key: string,
  ): Promise<{ order: Order; requestFingerprint: string } | undefined> {
    const { rows } = await this.pool.query<OrderRow>(
      `${SELECT_ORDERS} where o.user_id = $1 and o.idempotency_key = $2 group by o.id`,
      [userId, key],
    );
    return rows[0] && { order: toOrder(rows[0]), requestFingerprint: rows[0].request_fingerprint };
  }

  async listByUser(userId: string): Promise<Order[]> {
    const { rows } = await this.pool.query<OrderRow>(
      `${SELECT_ORDERS} where o.user_id = $1 group by o.id order by o.created_at desc, o.id`,
      [userId],
    );
    return rows.map(toOrder);
  }

  async settle(id: string, settlement: Settlement): Promise<{ order: Order; changed: boolean }> {
    // Guarded here, in one statement: only a pending order is settled, except that `paid`
    // also replaces a decline or a cancellation, so a charge that did happen is never hidden.
    const { rowCount } = await this.pool.query(
      `update orders set status = $2, payment_id = $3, updated_at = now()
        where id = $1
          and (status = 'pending'
               or ($2 = 'paid' and status in ('payment_declined', 'cancelled')))`,
      [id, settlement.status, settlement.paymentId],
    );
    const order = await this.findById(id);
    if (!order) throw new Error(`order ${id} vanished while being settled`);
    return { order, changed: (rowCount ?? 0) > 0 };
  }

  listPending(createdBefore: Date, limit: number): Promise<PendingOrder[]> {
    return this.ordersToReconcile(
      `status = 'pending' and created_at < $1 order by created_at`,
      createdBefore,
      limit,
    );
  }

  listCancelledSince(since: Date, limit: number): Promise<PendingOrder[]> {
    return this.ordersToReconcile(
      `status = 'cancelled' and payment_id is null and updated_at >= $1 order by updated_at`,
      since,
      limit,
    );
  }

  /** The reconciler's view of the orders a fixed condition selects ($1: a time). */
  private async ordersToReconcile(
    condition: string,
    at: Date,
    limit: number,
  ): Promise<PendingOrder[]> {
    const { rows } = await this.pool.query<{ id: string; created_at: Date; retryable: boolean }>(
      `select id, created_at, idempotency_key is not null as retryable
         from orders where ${condition} limit $2`,
      [at, limit],
    );
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at, retryable: row.retryable }));
  }

  async pendingSummary(): Promise<{ count: number; oldestCreatedAt: Date | undefined }> {
    const { rows } = await this.pool.query<{ count: string; oldest: Date | null }>(
      `select count(*) as count, min(created_at) as oldest from orders where status = 'pending'`,
    );
    return { count: Number(rows[0]?.count ?? 0), oldestCreatedAt: rows[0]?.oldest ?? undefined };
  }
}
