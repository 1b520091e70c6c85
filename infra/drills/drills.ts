/**
 * The failure drills, as one table. Each switches one fault on, drives traffic until the
 * alert a person would be paged by fires, and names where the thread must lead: the
 * service whose span failed (or was slow) and the source line that did it.
 */
import type { FaultName } from '../../packages/telemetry/src/fault-catalog.ts';

export interface Drill {
  name: string;
  /** The story a class hears first. */
  story: string;
  fault: FaultName;
  options: Record<string, unknown>;
  /** How many orders are in flight at once while the fault is on. */
  concurrency: number;
  alert: { name: string; labels: Record<string, string> };
  /** The histogram whose exemplars lead from the alert to a trace, and which ones to take. */
  exemplars: { metric: string; selector: string; pick: 'error' | 'slow' };
  /** The service holding the ERROR span (error drills) or the slowest span (latency drills). */
  service: string;
  /**
   * Latency drills only: what the slowest span tells you to search the service's code for;
   * its name, or a word of the statement it ran.
   */
  clue?: { inAttribute: string; word: string } | { spanName: true };
  /** The source line the thread ends at, and a text it must hold. */
  code: { file: string; text: string };
}

const PAYMENT_ERRORS = 'service_name="payment-service", http_response_status_code=~"5.."';

export const DRILLS: Drill[] = [
  {
    name: 'slow-database',
    story: 'Customers say placing an order takes ages; nothing fails, it is just slow.',
    fault: 'slowDatabase',
    options: { delayMs: 1500 },
    concurrency: 4,
    alert: { name: 'HighLatency', labels: { service_name: 'order-service' } },
    exemplars: {
      metric: 'http_server_request_duration_seconds_bucket',
      selector: 'service_name="order-service"',
      pick: 'slow',
    },
    service: 'order-service',
    clue: { inAttribute: 'db.query.text', word: 'pg_sleep' },
    code: { file: 'services/order-service/src/data/catalog-repository.ts', text: 'pg_sleep(' },
  },
  {
    name: 'event-loop-block',
    story: 'Customers say checkout hangs when the shop is busy; the database looks idle.',
    fault: 'eventLoopBlock',
    options: { blockMs: 600 },
    concurrency: 4,
    alert: { name: 'HighLatency', labels: { service_name: 'order-service' } },
    exemplars: {
      metric: 'http_server_request_duration_seconds_bucket',
      selector: 'service_name="order-service"',
      pick: 'slow',
    },
    service: 'order-service',
    clue: { spanName: true },
    code: {
      file: 'services/order-service/src/domain/orders.ts',
      text: "faults.burnCpu('eventLoopBlock')",
    },
  },
  {
    name: 'payment-gateway-timeout',
    story: 'Customers say checkout spins for a second, then fails, but only for the T-shirt.',
    fault: 'paymentGatewayTimeout',
    options: { sku: 'SKU-TEE-001', delayMs: 1000 },
    concurrency: 4,
    alert: { name: 'HighErrorRate', labels: { service_name: 'payment-service' } },
    exemplars: {
      metric: 'http_server_request_duration_seconds_bucket',
      selector: PAYMENT_ERRORS,
      pick: 'error',
    },
    service: 'payment-service',
    code: {
      file: 'services/payment-service/src/domain/card-provider.ts',
      text: 'throw new PaymentGatewayTimeout()',
    },
  },
  {
    name: 'payment-failure',
    story: 'Customers say every card is refused, at once, whatever they buy.',
    fault: 'paymentFailure',
    options: { percent: 100 },
    concurrency: 4,
    alert: { name: 'HighErrorRate', labels: { service_name: 'payment-service' } },
    exemplars: {
      metric: 'http_server_request_duration_seconds_bucket',
      selector: PAYMENT_ERRORS,
      pick: 'error',
    },
    service: 'payment-service',
    code: {
      file: 'services/payment-service/src/domain/card-provider.ts',
      text: 'throw new CardProviderFailed()',
    },
  },
];

export function drillNamed(name: string): Drill | undefined {
  return DRILLS.find((drill) => drill.name === name);
}
