import type { Pool } from '@sightline/service';
import type { LedgerEntry, ProviderLedger } from '../clients/card-provider.ts';

interface LedgerRow {
  outcome: LedgerEntry['outcome'];
  decline_reason: string | null;
  amount_cents: number;
  currency: string;
  reference: string;
}

const COLUMNS = 'outcome, decline_reason, amount_cents, currency, reference';

function toEntry(row: LedgerRow): LedgerEntry {
  return {
    outcome: row.outcome,
    declineReason: row.decline_reason,
    amountCents: row.amount_cents,
    currency: row.currency,
    reference: row.reference,
  };
}

/** The simulated card provider's ledger (migration 003), one row per idempotency key. */
export class PostgresProviderLedger implements ProviderLedger {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async record(key: string, entry: LedgerEntry): Promise<LedgerEntry> {
    const { rows } = await this.pool.query<LedgerRow>(
      `insert into card_provider_ledger (idempotency_key, ${COLUMNS})
       values ($1, $2, $3, $4, $5, $6)
       on conflict (idempotency_key) do nothing
       returning ${COLUMNS}`,
      [key, entry.outcome, entry.declineReason, entry.amountCents, entry.currency, entry.reference],
    );
    if (rows[0]) return toEntry(rows[0]);
    // Another call with the same key got there first; a statement of its own sees its row.
    const earlier = await this.find(key);
    if (!earlier) throw new Error('the ledger refused a key it does not hold');
    return earlier;
  }

  async find(key: string): Promise<LedgerEntry | undefined> {
    const { rows } = await this.pool.query<LedgerRow>(
      `select ${COLUMNS} from card_provider_ledger where idempotency_key = $1`,
      [key],
    );
    return rows[0] && toEntry(rows[0]);
  }
}
