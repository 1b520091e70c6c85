import type { Pool } from '@sightline/service';
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

/** PostgreSQL's error code for a unique index refusing a row. */
const UNIQUE_VIOLATION = '23505';

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

  async finish(
    id: string,
    answer: { status: 'succeeded' | 'declined'; declineReason: string | null },
  ): Promise<Payment | undefined> {
    try {
      // A success may not join another live attempt of the order (the unique index says so):
      // the guard keeps the usual case from raising, the catch covers a race.
      const { rows } = await this.pool.query<PaymentRow>(
        `update payments p set status = $2, decline_reason = $3, updated_at = now()
          where p.id = $1 and p.status in ('processing', 'abandoned')
            and ($2 <> 'succeeded' or p.status = 'processing' or not exists (
              select 1 from payments other
               where other.order_id = p.order_id and other.id <> p.id
                 and other.status in ('processing', 'succeeded')))
          returning ${COLUMNS}`,
        [id, answer.status, answer.declineReason],
      );
      return rows[0] && toPayment(rows[0]);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
      throw error;
    }
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
