import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardLink, faultAnnotation, stat, timeseries } from './kit.ts';

/** What the system is for: orders placed and settled, payments taken or declined. */
export function businessDashboard(): DashboardBuilder {
  return new DashboardBuilder('Sightline: Business')
    .uid('sightline-business')
    .description('Orders, payments and sign-ups: what users get done, from the business counters.')
    .tags(['sightline'])
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .annotation(faultAnnotation())
    .link(dashboardLink('Overview', 'sightline-overview'))
    .withRow(new RowBuilder('Orders'))
    .withPanel(
      timeseries(
        {
          title: 'Orders placed per minute',
          description:
            'Orders created (stored as pending, before payment). A drop while the gateway still ' +
            'has traffic means orders fail before they are stored: look at order-service errors.',
          unit: 'opm',
          width: 8,
        },
        [{ expr: 'sum(rate(orders_created_total[$__rate_interval])) * 60', legend: 'placed' }],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Orders settled per minute, by final status',
          description:
            'Orders that reached a final status: paid or payment_declined. Placed minus settled ' +
            'is orders left pending (payment-service unreachable or slow).',
          unit: 'opm',
          width: 8,
        },
        [
          {
            expr: 'sum by (status) (rate(orders_settled_total[$__rate_interval])) * 60',
            legend: '{{status}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Users registered per minute',
          description: 'Sign-ups. Zero for a long time with traffic on the gateway is suspicious.',
          unit: 'opm',
          width: 8,
        },
        [
          {
            expr: 'sum(rate(users_registered_total[$__rate_interval])) * 60',
            legend: 'registered',
          },
        ],
      ),
    )
    .withPanel(
      stat(
        {
          title: 'Orders pending now',
          description:
            'Orders stored but not yet charged. A number that keeps growing means payments are ' +
            'not getting through; the reconciler retries them.',
          unit: 'short',
          width: 12,
        },
        [{ expr: 'sum(orders_pending)', legend: 'pending', instant: true }],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Age of the oldest pending order',
          description:
            'How long the oldest pending order has waited. Minutes are normal after a payment ' +
            'outage; hours mean the reconciler is not settling them.',
          unit: 's',
          width: 12,
          height: 5,
        },
        [{ expr: 'max(orders_pending_oldest_age_seconds)', legend: 'oldest pending' }],
      ),
    )
    .withRow(new RowBuilder('Payments'))
    .withPanel(
      timeseries(
        {
          title: 'Payments per minute, by outcome',
          description:
            'succeeded, declined (the card provider said no) and already_paid (a retry of a paid ' +
            'order, answered without charging again). A jump in already_paid is clients retrying.',
          unit: 'opm',
          width: 8,
        },
        [
          {
            expr: 'sum by (outcome) (rate(payments_total[$__rate_interval])) * 60',
            legend: '{{outcome}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Declines per minute, by reason',
          description:
            'Why the provider declined: card_declined, insufficient_funds, ... One reason ' +
            'rising alone points at the provider or at one kind of customer, not at our code.',
          unit: 'opm',
          width: 8,
        },
        [
          {
            expr: 'sum by (decline_reason) (rate(payments_total{outcome="declined"}[$__rate_interval])) * 60',
            legend: '{{decline_reason}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Decline ratio',
          description:
            'Share of payment attempts declined. It moves with customers, not with deploys; a ' +
            'step change right after a release is worth a look.',
          unit: 'percentunit',
          width: 8,
        },
        [
          {
            expr:
              'sum(rate(payments_total{outcome="declined"}[$__rate_interval]))' +
              ' / sum(rate(payments_total{outcome=~"succeeded|declined"}[$__rate_interval]))',
            legend: 'declined',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Payments that do not match their order',
          description:
            'Successful payments the reconciler found for another amount or currency than ' +
            "their order's, counted each time it looks. Anything above zero is money taken " +
            'that settles nothing: PaymentMismatch pages, and its runbook says what to do.',
          unit: 'short',
          width: 24,
        },
        [
          {
            expr: 'sum by (mismatch) (increase(orders_payment_mismatches_total[$__rate_interval]))',
            legend: '{{mismatch}}',
          },
        ],
      ),
    );
}
