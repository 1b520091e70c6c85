import type { Pool, PoolClient } from '@sightline/telemetry';
import type { Payment } from '../domain/payment.ts';
import type { LockedPayments, PaymentRecord, PaymentRepository } from '../domain/payments.ts';

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

function lockedPayments(client: PoolClient): LockedPayments {
  return {
    async findSucceeded(orderId) {
      const { rows } = await client.query<PaymentRow>(
        `select ${COLUMNS} from payments where order_id = $1 and status = 'succeeded'`,
        [orderId],
      );
      return rows[0] && toPayment(rows[0]);
    },
    async insert(payment: PaymentRecord) {
      const { rows } = await client.query<PaymentRow>(
        `insert into payments (order_id, amount_cents, currency, status, decline_reason, card_brand, card_last4)
         values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
        [
          payment.orderId,
          payment.amountCents,
          payment.currency,
          payment.status,
          payment.declineReason,
          payment.card.brand,
          payment.card.last4,
        ],
      );
      return toPayment(rows[0] as PaymentRow);
    },
  };
}

export class PostgresPaymentRepository implements PaymentRepository {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async withOrderLock<T>(orderId: string, fn: (locked: LockedPayments) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      // A transaction-scoped advisory lock per order: released by commit or rollback.
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [orderId]);
      const result = await fn(lockedPayments(client));
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
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
      `select ${COLUMNS} from payments where order_id = $1 order by created_at`,
      [orderId],
    );
    return rows.map(toPayment);
  }
}
