import { createGauge } from '@sightline/telemetry';
import type { OrderRepository } from './ports.ts';

/**
 * `orders_pending` and `orders_pending_oldest_age_seconds`, read from the database when
 * Prometheus scrapes, so they are never staler than the scrape. One query serves both.
 */
export function watchPendingOrders(repository: OrderRepository): void {
  let reading: ReturnType<OrderRepository['pendingSummary']> | undefined;
  const summary = () =>
    (reading ??= repository.pendingSummary().finally(() => {
      reading = undefined;
    }));
  createGauge('orders_pending', 'Orders waiting for their payment to be settled.', async () => {
    return (await summary()).count;
  });
  createGauge(
    'orders_pending_oldest_age_seconds',
    'Age of the oldest pending order (0 when none is pending).',
    async () => {
      const { oldestCreatedAt } = await summary();
      return oldestCreatedAt ? Math.max(0, (Date.now() - oldestCreatedAt.getTime()) / 1000) : 0;
    },
  );
}
