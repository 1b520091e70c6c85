import { setTimeout as sleep } from 'node:timers/promises';
import { describeCard } from '@sightline/cards';
import { faults, inSpan, recordBusinessFacts } from '@sightline/telemetry';
import { CardProviderFailed, PaymentGatewayTimeout, type Card } from './payment.ts';
import type { Authorization, CardProvider } from './ports.ts';

/** Test cards, as card networks publish them: these decline, every other valid card succeeds. */
const DECLINING_CARDS: Record<string, string> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
};

/**
 * A card provider simulated in-process, with a provider's latency (between half and one and a
 * half times a typical value) and its decline rules. Its span, `PaymentProvider.charge`, is
 * where payment latency shows up in a trace. Being in-process, it charges nothing for a call
 * its process did not live to finish.
 */
export class SimulatedCardProvider implements CardProvider {
  private readonly latencyMs: number;
  constructor(latencyMs: number) {
    this.latencyMs = latencyMs;
  }

  authorize(
    attemptId: string,
    card: Card,
    amountCents: number,
    currency: string,
    skus: string[],
  ): Promise<Authorization> {
    return inSpan(
      'PaymentProvider.charge',
      {
        'sightline.payment.amount_cents': amountCents,
        'sightline.payment.currency': currency,
        'sightline.payment.card_brand': describeCard(card.number).brand,
      },
      async () => {
        recordBusinessFacts({ payment_id: attemptId, skus });
        // Failure drills: the provider hangs on orders holding one SKU, or fails a share of charges.
        const timeout = await faults.active('paymentGatewayTimeout');
        if (timeout && skus.includes(timeout.sku)) {
          await sleep(timeout.delayMs);
          throw new PaymentGatewayTimeout();
        }
        const failure = await faults.active('paymentFailure');
        if (failure && Math.random() * 100 < failure.percent) throw new CardProviderFailed();

        await sleep(this.latencyMs * (0.5 + Math.random()));
        const declineReason = DECLINING_CARDS[card.number];
        return declineReason ? { approved: false, declineReason } : { approved: true };
      },
    );
  }
}
