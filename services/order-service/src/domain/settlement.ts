import { createCounter } from '@sightline/telemetry';
import type { Order } from './order.ts';
import type { OrderRepository, Settlement } from './ports.ts';

const ordersSettled = createCounter('orders_settled_total', 'Orders settled, by final status.', [
  'status',
]);

/**
 * Records an order's final status, once: whoever settles a pending order first decides, except
 * that a successful payment always wins (the customer's money was taken). Returns the order as
 * it now stands, which may differ from what was asked.
 */
export async function settle(
  repository: OrderRepository,
  orderId: string,
  settlement: Settlement,
): Promise<Order> {
  const { order, changed } = await repository.settle(orderId, settlement);
  if (changed) ordersSettled.inc({ status: settlement.status });
  return order;
}
