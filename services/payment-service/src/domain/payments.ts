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
  ChargeDoesNotMatchOrder,
  PaymentDeclined,
  PaymentGatewayTimeout,
  PaymentNotFound,
  UnknownOrder,
  type ChargeRequest,
  type Payment,
} from './payment.ts';
import type { CardProvider, OrderBook, PaymentRepository } from './ports.ts';

const paymentsTotal = createCounter(
  'payments_total',
  "Payments attempted, by outcome, and for declines the provider's reason.",
  ['outcome', 'decline_reason'],
);

const providerLookups = createCounter(
  'payment_provider_lookups_total',
  'Times the card provider was asked what became of an order charge whose answer never came, by its answer (charged, declined, unknown).',
  ['answer'],
);

/**
 * The card provider's idempotency key for an order's charge. It is derived from the order, never
 * from an attempt, so every attempt and every retry of the order's charge carries the same key
 * and the provider charges the order at most once, however often it is asked.
 */
export function chargeKey(orderId: string): string {
  return `order-${orderId}`;
}

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

const isLive = (payment: Payment) =>
  payment.status === 'processing' || payment.status === 'succeeded';
const hasAnswer = (payment: Payment) =>
  payment.status === 'succeeded' || payment.status === 'declined';

/** How often a duplicate charge looks again at the attempt it is waiting for. */
const POLL_MS = 20;
/** A live attempt can end (declined, abandoned) between our insert and our read; try again. */
const MAX_TRIES = 3;

export class Payments {
  private readonly repository: PaymentRepository;
  private readonly provider: CardProvider;
  private readonly orders: OrderBook;
  private readonly processingTimeoutMs: number;
  constructor(deps: {
    repository: PaymentRepository;
    provider: CardProvider;
    orders: OrderBook;
    /** After this long, a `processing` attempt is taken to have died with its process. */
    processingTimeoutMs: number;
  }) {
    this.repository = deps.repository;
    this.provider = deps.provider;
    this.orders = deps.orders;
    this.processingTimeoutMs = deps.processingTimeoutMs;
  }

  /**
   * Charges an order once, for what order-service stored as its total. An earlier attempt's
   * outcome answers a repeat: a live attempt's (waited for), a decline, or, for attempts that
   * ended without the provider's answer, what the provider says it did under the order's key.
   * Only when the provider never charged the order is a new attempt recorded as `processing`
   * (one live attempt per order, enforced by a unique index) and the provider called, with no
   * database connection held; its answer is recorded after, however late it comes.
   */
  async charge(request: ChargeRequest): Promise<{ payment: Payment; created: boolean }> {
    recordBusinessFacts({ order_id: request.orderId, skus: request.skus });
    await this.checkAgainstOrder(request);
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const earlier = await this.earlierOutcome(request.orderId);
      if (earlier) {
        recordBusinessFacts({ payment_id: earlier.id });
        if (earlier.status === 'declined') throw new PaymentDeclined(earlier);
        paymentsTotal.inc({ outcome: 'already_paid' });
        return { payment: earlier, created: false };
      }

      const attempt = await this.repository.startAttempt({
        orderId: request.orderId,
        amountCents: request.amountCents,
        currency: request.currency,
        card: describeCard(request.card.number),
      });
      if (!attempt) continue;
      recordBusinessFacts({ payment_id: attempt.id });
      const payment = await this.authorize(attempt, request);
      if (payment) return { payment, created: true };
    }
    throw new Error(`order ${request.orderId}: no attempt could be started or awaited`);
  }

  async get(id: string): Promise<Payment> {
    const payment = await this.repository.findById(id);
    if (!payment) throw new PaymentNotFound(id);
    recordBusinessFacts(paymentFacts(payment));
    return payment;
  }

  /**
   * Every attempt for an order, oldest first. Attempts that died mid-call show as `abandoned`,
   * and when the order has no live attempt the provider is asked about the abandoned ones
   * first, so a charge it made shows as `succeeded`.
   */
  async listByOrder(orderId: string): Promise<Payment[]> {
    recordBusinessFacts({ order_id: orderId });
    await this.abandonStale(orderId);
    const attempts = await this.repository.listByOrder(orderId);
    const unknown = attempts.some((a) => a.status === 'abandoned') && !attempts.some(isLive);
    if (unknown && (await this.resolve(orderId))) return this.repository.listByOrder(orderId);
    return attempts;
  }

  /** The charge must be for the order as order-service stored it: its total, in its currency. */
  private async checkAgainstOrder(request: ChargeRequest): Promise<void> {
    const order = await this.orders.find(request.orderId);
    if (!order) throw new UnknownOrder(request.orderId);
    const mismatches: ChargeDoesNotMatchOrder['mismatches'] = [];
    if (request.amountCents !== order.totalCents) {
      mismatches.push({ field: 'amountCents', expected: order.totalCents });
    }
    if (request.currency !== order.currency) {
      mismatches.push({ field: 'currency', expected: order.currency });
    }
    if (mismatches.length > 0) throw new ChargeDoesNotMatchOrder(request.orderId, mismatches);
  }

  /**
   * What the order's earlier attempts settled: the live attempt's outcome, waited for; a
   * decline (the provider answers the order's key with it for good); or, when attempts ended
   * without an answer, what the provider says it did. `undefined`: nothing was charged or
   * declined, and a new attempt may start.
   */
  private async earlierOutcome(orderId: string): Promise<Payment | undefined> {
    const attempts = await this.repository.listByOrder(orderId);
    const live = attempts.find(isLive);
    if (live) {
      const outcome = await this.outcomeOf(live);
      if (outcome.status !== 'abandoned') return outcome;
    }
    const declined = attempts.findLast((a) => a.status === 'declined');
    if (declined) return declined;
    if (!live && !attempts.some((a) => a.status === 'abandoned')) return undefined;
    return this.resolve(orderId);
  }

  /**
   * Asks the provider what became of the order's charge and records its answer on the attempt
   * that made it. Returns that attempt once it has an answer; `undefined` when the provider
   * never charged under the order's key (or another attempt of the order is live).
   */
  private async resolve(orderId: string): Promise<Payment | undefined> {
    const record = await this.provider.lookup(chargeKey(orderId));
    providerLookups.inc({ answer: record.state });
    if (record.state === 'unknown') return undefined;
    const recorded = await this.repository.finish(
      record.reference,
      record.state === 'charged'
        ? { status: 'succeeded', declineReason: null }
        : { status: 'declined', declineReason: record.declineReason },
    );
    if (recorded) {
      this.logAnswer(recorded);
      return recorded;
    }
    const current = await this.repository.findById(record.reference);
    return current && hasAnswer(current) ? current : undefined;
  }

  /**
   * Calls the provider for a new attempt and records its answer. `undefined` when the answer
   * belongs to another live attempt of the order (same key, same answer), which then reports it.
   */
  private async authorize(attempt: Payment, request: ChargeRequest): Promise<Payment | undefined> {
    const authorization = await this.provider
      .charge({
        idempotencyKey: chargeKey(request.orderId),
        reference: attempt.id,
        card: request.card,
        amountCents: request.amountCents,
        currency: request.currency,
        skus: request.skus,
      })
      .catch(async (error: unknown) => {
        // The call ended without an answer. Neither a timeout nor the provider's failure says
        // whether the card was charged: the attempt ends `abandoned`, and the provider is asked
        // what it did before the order is charged again.
        if (error instanceof PaymentGatewayTimeout || error instanceof CardProviderFailed) {
          if (await this.repository.abandon(attempt.id)) logAbandoned(attempt.id, attempt.orderId);
          paymentsTotal.inc({
            outcome: error instanceof CardProviderFailed ? 'failed' : 'abandoned',
          });
        }
        throw error;
      });
    // Recorded even if the attempt was given up on meanwhile: a late answer is still the answer.
    const recorded = await this.repository.finish(attempt.id, {
      status: authorization.approved ? 'succeeded' : 'declined',
      declineReason: authorization.declineReason ?? null,
    });
    if (recorded) this.logAnswer(recorded, request.skus);
    // Otherwise a look-up recorded it first, or another attempt of the order is live.
    const payment = recorded ?? (await this.repository.findById(attempt.id));
    if (!payment || !hasAnswer(payment)) return undefined;
    if (payment.status === 'declined') throw new PaymentDeclined(payment);
    return payment;
  }

  /** Counts and logs the provider's answer, once per attempt: by the call that recorded it. */
  private logAnswer(payment: Payment, skus?: string[]): void {
    // The provider's reasons are a short fixed list, so they are safe as a label.
    paymentsTotal.inc(
      payment.declineReason
        ? { outcome: payment.status, decline_reason: payment.declineReason }
        : { outcome: payment.status },
    );
    if (payment.status === 'declined') {
      logger.info(
        {
          event: 'sightline.payment.declined',
          ...paymentFacts(payment),
          skus,
          decline_reason: payment.declineReason,
        },
        'payment declined',
      );
    } else {
      logger.info(
        { event: 'sightline.payment.succeeded', ...paymentFacts(payment), skus },
        'payment succeeded',
      );
    }
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
