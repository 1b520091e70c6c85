import { setTimeout as sleep } from 'node:timers/promises';
import { describeCard } from '@sightline/cards';
import { inSpan, recordBusinessFacts } from '@sightline/telemetry';
import { faults } from '../faults.ts';
import { CardProviderFailed, PaymentGatewayTimeout } from '../domain/payment.ts';
import type {
  Authorization,
  CardProvider,
  ChargeInstruction,
  ChargeRecord,
} from '../domain/ports.ts';

/** Test cards, as card networks publish them: these decline, every other valid card succeeds. */
const DECLINING_CARDS: Record<string, string> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
};

/** One line of the provider's ledger: what it did under one idempotency key. */
export interface LedgerEntry {
  outcome: 'charged' | 'declined';
  declineReason: string | null;
  amountCents: number;
  currency: string;
  reference: string;
}

/** The provider's own books (data/card-provider-ledger.ts); payment-service never reads them. */
export interface ProviderLedger {
  /** Writes the entry under its key, unless the key holds one already; returns what it holds. */
  record(key: string, entry: LedgerEntry): Promise<LedgerEntry>;
  find(key: string): Promise<LedgerEntry | undefined>;
}

function toAuthorization(entry: LedgerEntry): Authorization {
  return entry.outcome === 'charged'
    ? { approved: true }
    : { approved: false, declineReason: entry.declineReason ?? 'declined' };
}

/**
 * A card provider simulated in-process, as real providers behave: a provider's latency (between
 * half and one and a half times a typical value), its decline rules, and a ledger keyed by
 * idempotency key that survives restarts. A charge under a key the ledger holds returns the
 * recorded outcome and charges nothing; `lookup` answers what became of a key. Its span,
 * `PaymentProvider.charge`, is where payment latency shows up in a trace.
 */
export class SimulatedCardProvider implements CardProvider {
  private readonly ledger: ProviderLedger;
  private readonly latencyMs: number;
  constructor(ledger: ProviderLedger, latencyMs: number) {
    this.ledger = ledger;
    this.latencyMs = latencyMs;
  }

  charge(instruction: ChargeInstruction): Promise<Authorization> {
    const { amountCents, currency, card, skus } = instruction;
    return inSpan(
      'PaymentProvider.charge',
      {
        'sightline.payment.amount_cents': amountCents,
        'sightline.payment.currency': currency,
        'sightline.payment.card_brand': describeCard(card.number).brand,
      },
      async () => {
        recordBusinessFacts({ payment_id: instruction.reference, skus });
        // Failure drills: the provider hangs on orders holding one SKU, or fails a share of
        // charges; `when` says whether it charged the card first (`after`) or not (`before`).
        const timeout = await faults.active('paymentGatewayTimeout');
        if (timeout && skus.includes(timeout.sku)) {
          if (timeout.when === 'after') await this.process(instruction);
          await sleep(timeout.delayMs);
          throw new PaymentGatewayTimeout();
        }
        const failure = await faults.active('paymentFailure');
        if (failure && Math.random() * 100 < failure.percent) {
          if (failure.when === 'after') await this.process(instruction);
          throw new CardProviderFailed();
        }
        return this.process(instruction);
      },
    );
  }

  lookup(idempotencyKey: string): Promise<ChargeRecord> {
    return inSpan('PaymentProvider.lookup', {}, async () => {
      const entry = await this.ledger.find(idempotencyKey);
      if (!entry) return { state: 'unknown' };
      return entry.outcome === 'charged'
        ? { state: 'charged', reference: entry.reference }
        : { state: 'declined', reference: entry.reference, declineReason: entry.declineReason };
    });
  }

  /** Charges or declines the card, once per key: a key already in the ledger gets its entry. */
  private async process(instruction: ChargeInstruction): Promise<Authorization> {
    const earlier = await this.ledger.find(instruction.idempotencyKey);
    if (earlier) return toAuthorization(earlier);
    await sleep(this.latencyMs * (0.5 + Math.random()));
    const declineReason = DECLINING_CARDS[instruction.card.number] ?? null;
    // A twin call with the same key may have written first; its entry is the outcome.
    const entry = await this.ledger.record(instruction.idempotencyKey, {
      outcome: declineReason ? 'declined' : 'charged',
      declineReason,
      amountCents: instruction.amountCents,
      currency: instruction.currency,
      reference: instruction.reference,
    });
    return toAuthorization(entry);
  }
}
