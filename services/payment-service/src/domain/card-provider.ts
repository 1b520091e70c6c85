import { setTimeout as sleep } from 'node:timers/promises';
import { inSpan } from '@sightline/telemetry';
import type { Card } from './payment.ts';

export interface Authorization {
  approved: boolean;
  declineReason?: string;
  brand: string;
  last4: string;
}

export interface CardProvider {
  authorize(card: Card, amountCents: number, currency: string): Promise<Authorization>;
}

/** Test cards, as card networks publish them: these decline, every other valid card succeeds. */
const DECLINING_CARDS: Record<string, string> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
};

function brandOf(number: string): string {
  if (number.startsWith('4')) return 'visa';
  if (/^5[1-5]/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  return 'unknown';
}

/**
 * A card provider simulated in-process, with a provider's latency (a little jitter around a
 * typical value) and its decline rules. Its span, `PaymentProvider.charge`, is where payment
 * latency shows up in a trace.
 */
export class SimulatedCardProvider implements CardProvider {
  private readonly latencyMs: number;
  constructor(latencyMs: number) {
    this.latencyMs = latencyMs;
  }

  authorize(card: Card, amountCents: number, currency: string): Promise<Authorization> {
    const brand = brandOf(card.number);
    return inSpan(
      'PaymentProvider.charge',
      {
        'payment.amount_cents': amountCents,
        'payment.currency': currency,
        'payment.card_brand': brand,
      },
      async () => {
        await sleep(this.latencyMs * (0.5 + Math.random()));
        const declineReason = DECLINING_CARDS[card.number];
        const last4 = card.number.slice(-4);
        return declineReason
          ? { approved: false, declineReason, brand, last4 }
          : { approved: true, brand, last4 };
      },
    );
  }
}
