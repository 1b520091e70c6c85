import { setTimeout as sleep } from 'node:timers/promises';
import { describeCard } from '@sightline/cards';
import {
  createCounter,
  logger,
  recordBusinessFacts,
  type BusinessFacts,
} from '@sightline/telemetry';
import {
  CardProviderFailed,
  PaymentDeclined,
  PaymentNotFound,
  type ChargeRequest,
  type Payment,
} from './payment.ts';
import type { CardProvider, PaymentRepository } from './ports.ts';

const paymentsTotal = createCounter(
  'payments_total',
  "Payments attempted, by outcome, and for declines the provider's reason.",
  ['outcome', 'decline_reason'],
);

/** An attempt's business facts, as its log lines name them. */
function paymentFacts(payment: Payment): BusinessFacts {
  return { payment_id: payment.id, order_id: payment.orderId };
}

/** Logged by whoever moved the attempt to `abandoned`, so once per attempt. */
function logAbandoned(paymentId: string, orderId: string): void {
  logger.info(
    { event: 'sightline.payment.abandoned', payment_id: paymentId, order_id: orderId },
    'payment abandoned',
  );
}

/** How often a duplicate charge looks again at the attempt it is waiting for. */
const POLL_MS = 20;
/** A live attempt can end (declined, abandoned) between our insert and our read; try again. */
const MAX_TRIES = 3;

export class Payments {
  private readonly repository: PaymentRepository;
  private readonly provider: CardProvider;
  private readonly processingTimeoutMs: number;
  constructor(deps: {
    repository: PaymentRepository;
    provider: CardProvider;
    /** After this long, a `processing` attempt is taken to have died with its process. */
    processingTimeoutMs: number;
  }) {
    this.repository = deps.repository;
    this.provider = deps.provider;
    this.processingTimeoutMs = deps.processingTimeoutMs;
  }

  /**
   * Charges an order once. The attempt is recorded as `processing` first (one live attempt per
   * order, enforced by a unique index), the provider is called with no database connection held,
   * and its answer is recorded after. A concurrent or repeated charge for the same order gets
   * the live attempt's outcome (`created: false`) without calling the provider again.
   */
  async charge(request: ChargeRequest): Promise<{ payment: Payment; created: boolean }> {
    recordBusinessFacts({ order_id: request.orderId, skus: request.skus });
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const attempt = await this.repository.startAttempt({
        orderId: request.orderId,
        amountCents: request.amountCents,
        currency: request.currency,
        card: describeCard(request.card.number),
      });
      if (attempt) {
        recordBusinessFacts({ payment_id: attempt.id });
        return { payment: await this.authorize(attempt, request), created: true };
      }

      const live = await this.repository.findLive(request.orderId);
      if (!live) continue;
      const outcome = await this.outcomeOf(live);
      if (outcome.status === 'abandoned') continue;
      recordBusinessFacts({ payment_id: outcome.id });
      if (outcome.status === 'declined') throw new PaymentDeclined(outcome);
      paymentsTotal.inc({ outcome: 'already_paid' });
      return { payment: outcome, created: false };
    }
    throw new Error(`order ${request.orderId}: no attempt could be started or awaited`);
  }

  async get(id: string): Promise<Payment> {
    const payment = await this.repository.findById(id);
    if (!payment) throw new PaymentNotFound(id);
    recordBusinessFacts(paymentFacts(payment));
    return payment;
  }

  /** Every attempt for an order, oldest first; attempts that died mid-call show as `abandoned`. */
  async listByOrder(orderId: string): Promise<Payment[]> {
    recordBusinessFacts({ order_id: orderId });
    await this.abandonStale(orderId);
    return this.repository.listByOrder(orderId);
  }

  private async authorize(attempt: Payment, request: ChargeRequest): Promise<Payment> {
    const authorization = await this.provider
      .authorize(attempt.id, request.card, request.amountCents, request.currency, request.skus)
      .catch(async (error: unknown) => {
        // The provider says it failed, so nothing was charged and the order may be charged
        // again. A timeout says no such thing: that attempt stays `processing` until overdue.
        if (error instanceof CardProviderFailed) {
          if (await this.repository.abandon(attempt.id)) logAbandoned(attempt.id, attempt.orderId);
          paymentsTotal.inc({ outcome: 'failed' });
        }
        throw error;
      });
    const payment = await this.repository.finish(attempt.id, {
      status: authorization.approved ? 'succeeded' : 'declined',
      declineReason: authorization.declineReason ?? null,
    });
    // The provider's reasons are a short fixed list, so they are safe as a label.
    paymentsTotal.inc(
      authorization.declineReason
        ? { outcome: payment.status, decline_reason: authorization.declineReason }
        : { outcome: payment.status },
    );
    if (payment.status === 'declined') {
      logger.info(
        {
          event: 'sightline.payment.declined',
          ...paymentFacts(payment),
          skus: request.skus,
          decline_reason: payment.declineReason,
        },
        'payment declined',
      );
      throw new PaymentDeclined(payment);
    }
    logger.info(
      { event: 'sightline.payment.succeeded', ...paymentFacts(payment), skus: request.skus },
      'payment succeeded',
    );
    return payment;
  }

  /** Waits for a live attempt to get its answer, or to be found dead. */
  private async outcomeOf(live: Payment): Promise<Payment> {
    let current = live;
    while (current.status === 'processing') {
      const overdue = current.createdAt.getTime() < Date.now() - this.processingTimeoutMs;
      if (overdue && (await this.abandonStale(current.orderId)) > 0) {
        return { ...current, status: 'abandoned' };
      }
      await sleep(POLL_MS);
      current = (await this.repository.findById(current.id)) ?? current;
    }
    return current;
  }

  private async abandonStale(orderId: string): Promise<number> {
    const startedBefore = new Date(Date.now() - this.processingTimeoutMs);
    const abandoned = await this.repository.abandonStale(orderId, startedBefore);
    if (abandoned.length > 0) paymentsTotal.inc({ outcome: 'abandoned' }, abandoned.length);
    for (const id of abandoned) logAbandoned(id, orderId);
    return abandoned.length;
  }
}
