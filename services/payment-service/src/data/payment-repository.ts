import type { Pool } from '@sightline/telemetry';
import type { Payment } from '../domain/payment.ts';
import type { NewAttempt, PaymentRepository } from '../domain/ports.ts';

interface PaymentRow {
  id: string;
  order_id: string;
  amount_cents: number;
  currency: string;
  status: Payment['status'];
  decline_reason: string | null;
  card_brand: string;
  card_last4: string;
  created_at: Date;
}

const COLUMNS =
  'id, order_id, amount_cents, currency, status, decline_reason, card_brand, card_last4, created_at';

function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    orderId: row.order_id,
    amountCents: row.amount_cents,
    currency: row.currency,
    status: row.status,
    declineReason: row.decline_reason,
    card: { brand: row.card_brand, last4: row.card_last4 },
    createdAt: row.created_at,
  };
}

/** Every method is one statement on the pool: no connection is kept between them. */
export class PostgresPaymentRepository implements PaymentRepository {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async startAttempt(attempt: NewAttempt): Promise<Payment | undefined> {
    const { rows } = await this.pool.query<PaymentRow>(
      `insert into payments (order_id, amount_cents, currency, status, card_brand, card_last4)
       values ($1, $2, $3, 'processing', $4, $5)
       on conflict (order_id) where status in ('processing', 'succeeded') do nothing
       returning ${COLUMNS}`,
      [
        attempt.orderId,
        attempt.amountCents,
        attempt.currency,
        attempt.card.brand,
        attempt.card.last4,
      ],
    );
    return rows[0] && toPayment(rows[0]);
  }

  async findLive(orderId: string): Promise<Payment | undefined> {
    const { rows } = await this.pool.query<PaymentRow>(
      `select ${COLUMNS} from payments
        where order_id = $1 and status in ('processing', 'succeeded')`,
      [orderId],
    );
    return rows[0] && toPayment(rows[0]);
  }

  async finish(
    id: string,
    answer: { status: 'succeeded' | 'declined'; declineReason: string | null },
  ): Promise<Payment> {
    const { rows } = await this.pool.query<PaymentRow>(
      `update payments set status = $2, decline_reason = $3, updated_at = now()
        where id = $1 and status = 'processing'
        returning ${COLUMNS}`,
      [id, answer.status, answer.declineReason],
    );
    if (!rows[0]) throw new Error(`payment ${id} was no longer processing when its answer came`);
    return toPayment(rows[0]);
  }

  async abandon(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update payments set status = 'abandoned', updated_at = now()
        where id = $1 and status = 'processing'`,
      [id],
    );
    return rowCount === 1;
  }

  async abandonStale(orderId: string, startedBefore: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `update payments set status = 'abandoned', updated_at = now()
        where order_id = $1 and status = 'processing' and created_at < $2
        returning id`,
      [orderId, startedBefore],
    );
    return rows.map((row) => row.id);
  }

  async findById(id: string): Promise<Payment | undefined> {
    const { rows } = await this.pool.query<PaymentRow>(
      `select ${COLUMNS} from payments where id = $1`,
      [id],
    );
    return rows[0] && toPayment(rows[0]);
  }

  async listByOrder(orderId: string): Promise<Payment[]> {
    const { rows } = await this.pool.query<PaymentRow>(
      `select ${COLUMNS} from payments where order_id = $1 order by created_at, id`,
      [orderId],
    );
    return rows.map(toPayment);
  }
}
