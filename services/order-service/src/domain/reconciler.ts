import { createCounter, logger } from '@sightline/telemetry';
import { orderFacts } from './order.ts';
import type {
  ListPosition,
  OrderRepository,
  Page,
  PaymentGateway,
  PendingOrder,
  Settlement,
} from './ports.ts';
import { paysFor, settle } from './settlement.ts';

const ordersReconciled = createCounter(
  'orders_reconciled_total',
  'Pending orders the reconciler settled, by the status it gave them.',
  ['status'],
);

/**
 * How many orders one query reads. A run reads page after page, each from where the last one
 * ended, until it has seen every order due, so orders that keep waiting (for their client's
 * retry) never hide the ones behind them.
 */
const PAGE_SIZE = 100;

/**
 * How long a cancelled order is looked at again. A charge request that order-service gave up
 * on can still reach payment-service later and succeed there; Node's HTTP server drops a
 * request not received within 5 minutes (`requestTimeout`), so twice that covers it.
 */
const CANCELLED_RECHECK_MS = 10 * 60_000;

/**
 * An order the reconciler could not settle yet is looked at again after a wait that starts at
 * the reconciler's interval and doubles after each look, up to RECHECK_MAX_MS: an order waiting
 * a day for its client's retry costs payment-service a few dozen lookups, not one every run
 * (thousands a minute in a drill that leaves many orders pending).
 */
const RECHECK_MAX_MS = 30 * 60_000;

/** When an order looked at `checks` times before this look may be looked at again. */
function nextCheck(checks: number, now: Date, firstWaitMs: number): Date {
  const wait = Math.min(
    firstWaitMs * 2 ** Math.min(checks, 16),
    Math.max(RECHECK_MAX_MS, firstWaitMs),
  );
  return new Date(now.getTime() + wait);
}

/**
 * Settles orders left `pending` by a request that could not finish: payment-service timed out
 * (but may have charged), or order-service failed or died between the charge and recording it.
 * payment-service's record of the order's payment decides:
 *
 * - a successful payment of the order's total, in its currency → `paid`; one of another amount
 *   or currency settles nothing: it is reported as an error, and the order is left as it is;
 * - an attempt still in progress → looked at again later;
 * - only declined attempts → `payment_declined`, as the request would have answered;
 * - no attempt (or only attempts that died mid-call) → nothing was charged. order-service never
 *   stores a card, so only the client can pay such an order, by repeating its request with the
 *   same Idempotency-Key. An order without a key (placed before the key was required) cannot
 *   be repeated, so it is `cancelled` at once; one with a key stays `pending` until the payment
 *   deadline, then is `cancelled`. A customer expects an order they were told failed (503) to
 *   end up either paid once or visibly cancelled, never charged later without them, and never
 *   pending forever.
 *
 * An order left as it was is looked at again after a wait that doubles each time (`nextCheck`),
 * but never later than its payment deadline.
 */
export class Reconciler {
  private readonly repository: OrderRepository;
  private readonly payments: PaymentGateway;
  private readonly minAgeMs: number;
  private readonly paymentDeadlineMs: number;
  private readonly recheckAfterMs: number;
  constructor(deps: {
    repository: OrderRepository;
    payments: PaymentGateway;
    /** Younger pending orders may still be in their own request, and are left alone. */
    minAgeMs: number;
    /** How long a retryable order may wait unpaid for its client's retry. */
    paymentDeadlineMs: number;
    /** The first wait before an order left as it was is looked at again (then doubled). */
    recheckAfterMs: number;
  }) {
    this.repository = deps.repository;
    this.payments = deps.payments;
    this.minAgeMs = deps.minAgeMs;
    this.paymentDeadlineMs = deps.paymentDeadlineMs;
    this.recheckAfterMs = deps.recheckAfterMs;
  }

  /**
   * One pass over the pending orders old enough to look at, then over the recently cancelled
   * ones: a charge that arrived at payment-service after the order was cancelled still wins,
   * so no customer is charged for an order that shows as cancelled.
   */
  async reconcile(now = new Date()): Promise<void> {
    const due = new Date(now.getTime() - this.minAgeMs);
    const pending = everyRow((after) =>
      this.repository.listPending(due, now, { limit: PAGE_SIZE, after }),
    );
    // Cancelled by this run: payment-service was just asked about them.
    const justCancelled = new Set<string>();
    for await (const order of pending) {
      const settlement = await this.decide(order, now);
      if (settlement?.status === 'cancelled') justCancelled.add(order.id);
      if (settlement) await this.apply(order.id, settlement);
      else await this.repository.postpone(order.id, this.nextLook(order, now));
    }

    const recently = new Date(now.getTime() - CANCELLED_RECHECK_MS);
    const cancelled = everyRow((after) =>
      this.repository.listCancelledSince(recently, now, { limit: PAGE_SIZE, after }),
    );
    for await (const order of cancelled) {
      if (justCancelled.has(order.id)) continue;
      const settlement = await this.decide(order, now);
      if (settlement?.status === 'paid') await this.apply(order.id, settlement);
      else
        await this.repository.postpone(order.id, nextCheck(order.checks, now, this.recheckAfterMs));
    }
  }

  /**
   * The next look at a pending order: after its wait, or at its deadline if that comes first
   * (an order its deadline does not settle, one with a payment in doubt, keeps its wait).
   */
  private nextLook(order: PendingOrder, now: Date): Date {
    const deadline = order.createdAt.getTime() + this.paymentDeadlineMs;
    const next = nextCheck(order.checks, now, this.recheckAfterMs);
    return deadline > now.getTime() && next.getTime() > deadline ? new Date(deadline) : next;
  }

  private async apply(orderId: string, settlement: Settlement): Promise<void> {
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

/**
 * Every row of a paged list, page after page, each read from where the last one ended (a
 * position, not an offset: rows settled meanwhile leave the list without shifting the rest).
 */
async function* everyRow<T>(
  read: (after: ListPosition | undefined) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let after: ListPosition | undefined;
  do {
    const page = await read(after);
    yield* page.items;
    after = page.next;
  } while (after);
}
