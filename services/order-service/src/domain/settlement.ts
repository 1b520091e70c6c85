import { createCounter, logger, reportError } from '@sightline/telemetry';
import { orderFacts, PaymentDoesNotMatchOrder, type Order } from './order.ts';
import type { OrderRepository, PaymentAttempt, Settlement } from './ports.ts';

const ordersSettled = createCounter('orders_settled_total', 'Orders settled, by final status.', [
  'status',
]);

const paymentMismatches = createCounter(
  'orders_payment_mismatches_total',
  "Successful payments found for an order with another currency or amount than the order's, which do not settle it; by what differs.",
  ['mismatch'],
);
// Each series from 0, so the first mismatch is an increase the PaymentMismatch alert sees.
for (const mismatch of ['amount', 'currency']) paymentMismatches.inc({ mismatch }, 0);

/**
 * Whether a successful payment pays this order: the order's total, in its currency. One that
 * does not is reported, as an error line (with the order's facts and the payment id) and in
 * `orders_payment_mismatches_total`, each time it is found.
 */
export function paysFor(order: Order, payment: PaymentAttempt): boolean {
  const mismatch =
    payment.currency !== order.currency
      ? 'currency'
      : payment.amountCents !== order.totalCents
        ? 'amount'
        : undefined;
  if (!mismatch) return true;
  paymentMismatches.inc({ mismatch });
  reportError(new PaymentDoesNotMatchOrder(order, payment), {
    ...orderFacts(order),
    payment_id: payment.paymentId,
  });
  return false;
}

/** The business event of each final status: its name, and the message a person searches for. */
const SETTLED_EVENTS = {
  paid: { event: 'sightline.order.paid', message: 'order paid' },
  payment_declined: { event: 'sightline.order.declined', message: 'order declined' },
  cancelled: { event: 'sightline.order.cancelled', message: 'order cancelled' },
} as const;

/**
 * Records an order's final status, once: whoever settles a pending order first decides, except
 * that a successful payment always wins (the customer's money was taken). Returns the order as
 * it now stands, which may differ from what was asked. Only the call that changed the order logs
 * its event (`order paid`, `order declined`, `order cancelled`), so each is logged once.
 */
export async function settle(
  repository: OrderRepository,
  orderId: string,
  settlement: Settlement,
): Promise<Order> {
  const { order, changed } = await repository.settle(orderId, settlement);
  if (changed) {
    ordersSettled.inc({ status: settlement.status });
    const { event, message } = SETTLED_EVENTS[settlement.status];
    logger.info({ event, ...orderFacts(order) }, message);
  }
  return order;
}
