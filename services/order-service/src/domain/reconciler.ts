import { createCounter, logger } from '@sightline/telemetry';
import { orderFacts } from './order.ts';
import type { OrderRepository, PaymentGateway, PendingOrder, Settlement } from './ports.ts';
import { paysFor, settle } from './settlement.ts';

const ordersReconciled = createCounter(
  'orders_reconciled_total',
  'Pending orders the reconciler settled, by the status it gave them.',
  ['status'],
);

/** How many pending orders one run looks at; the next run takes the rest. */
const BATCH = 100;

/**
 * How long a cancelled order is looked at again. A charge request that order-service gave up
 * on can still reach payment-service later and succeed there; Node's HTTP server drops a
 * request not received within 5 minutes (`requestTimeout`), so twice that covers it.
 */
const CANCELLED_RECHECK_MS = 10 * 60_000;

/**
 * Settles orders left `pending` by a request that could not finish: payment-service timed out
 * (but may have charged), or order-service failed or died between the charge and recording it.
 * payment-service's record of the order's payment decides:
 *
 * - a successful payment of the order's total, in its currency → `paid`; one of another amount
 *   or currency settles nothing: it is reported as an error, and the order is left as it is;
 * - an attempt still in progress → left for the next run;
 * - only declined attempts → `payment_declined`, as the request would have answered;
 * - no attempt (or only attempts that died mid-call) → nothing was charged. order-service never
 *   stores a card, so only the client can pay such an order, by repeating its request with the
 *   same Idempotency-Key. An order without a key cannot be repeated (a new request makes a new
 *   order), so it is `cancelled` at once; one with a key stays `pending` until the payment
 *   deadline, then is `cancelled`. A customer expects an order they were told failed (503) to
 *   end up either paid once or visibly cancelled, never charged later without them, and never
 *   pending forever.
 */
export class Reconciler {
  private readonly repository: OrderRepository;
  private readonly payments: PaymentGateway;
  private readonly minAgeMs: number;
  private readonly paymentDeadlineMs: number;
  constructor(deps: {
    repository: OrderRepository;
    payments: PaymentGateway;
    /** Younger pending orders may still be in their own request, and are left alone. */
    minAgeMs: number;
    /** How long a retryable order may wait unpaid for its client's retry. */
    paymentDeadlineMs: number;
  }) {
    this.repository = deps.repository;
    this.payments = deps.payments;
    this.minAgeMs = deps.minAgeMs;
    this.paymentDeadlineMs = deps.paymentDeadlineMs;
  }

  /**
   * One pass over the pending orders old enough to look at, then over the recently cancelled
   * ones: a charge that arrived at payment-service after the order was cancelled still wins,
   * so no customer is charged for an order that shows as cancelled.
   */
  async reconcile(now = new Date()): Promise<void> {
    const pending = await this.repository.listPending(
      new Date(now.getTime() - this.minAgeMs),
      BATCH,
    );
    for (const order of pending) await this.apply(order.id, await this.decide(order, now));

    const cancelled = await this.repository.listCancelledSince(
      new Date(now.getTime() - CANCELLED_RECHECK_MS),
      BATCH,
    );
    for (const order of cancelled) {
      const settlement = await this.decide(order, now);
      if (settlement?.status === 'paid') await this.apply(order.id, settlement);
    }
  }

  private async apply(orderId: string, settlement: Settlement | undefined): Promise<void> {
    if (!settlement) return;
    const settled = await settle(this.repository, orderId, settlement);
    if (settled.status !== settlement.status) return;
    ordersReconciled.inc({ status: settlement.status });
    // Logged with the order's facts by hand: a run settles many orders, so they are not its span's.
    logger.info(
      { event: 'sightline.order.reconciled', ...orderFacts(settled), order_status: settled.status },
      'order reconciled',
    );
  }

  private async decide(order: PendingOrder, now: Date): Promise<Settlement | undefined> {
    const attempts = await this.payments.attemptsFor(order.id);
    const succeeded = attempts.find((attempt) => attempt.status === 'succeeded');
    if (succeeded) {
      // Money was taken, but only the order's total in its currency pays it. Any other payment
      // leaves the order as it is (never cancelled: the customer was charged), for a person.
      const stored = await this.repository.findById(order.id);
      if (!stored || !paysFor(stored, succeeded)) return undefined;
      return { status: 'paid', paymentId: succeeded.paymentId };
    }
    if (attempts.some((attempt) => attempt.status === 'processing')) return undefined;
    const declined = attempts.findLast((attempt) => attempt.status === 'declined');
    if (declined) return { status: 'payment_declined', paymentId: declined.paymentId };
    const pastDeadline = now.getTime() - order.createdAt.getTime() >= this.paymentDeadlineMs;
    if (!order.retryable || pastDeadline) return { status: 'cancelled', paymentId: null };
    return undefined;
  }
}
