/**
 * The failure drills, as one table. Each switches one fault on, drives traffic until the
 * alert a person would be paged by fires, and names where the thread must lead: the
 * service whose span failed (or was slow) and the source line that did it.
 *
 * A saturation drill (`pick: 'none'`) pages on a gauge, which carries no exemplars and
 * leads to no one request: its thread goes from the gauge to what changed when it rose (the
 * fault_active series, then the fault's audit line in the service's logs) to the line that
 * reads that fault (thread.ts, "A saturation alert's thread").
 */
import type { FaultName } from '../../faults/catalog.ts';

export interface Drill {
  name: string;
  /** The story a class hears first. */
  story: string;
  fault: FaultName;
  options: Record<string, unknown>;
  /** How many orders are in flight at once while the fault is on. */
  concurrency: number;
  /**
   * How long each customer waits between orders (default 250 ms, so four customers place at
   * most 16 orders a second): customers whose orders fail at once would otherwise retry
   * as fast as the system answers, and bury the traces a drill follows under the load.
   */
  pauseMs?: number;
  alert: { name: string; labels: Record<string, string> };
  /**
   * The histogram whose exemplars lead from the alert to a trace, and which ones to take; for
   * a saturation drill (`'none'`), the gauge the alert watches, which has no exemplars.
   */
  exemplars: { metric: string; selector: string; pick: 'error' | 'slow' | 'none' };
  /**
   * The service holding the ERROR span (error drills), the slowest span (latency drills), or
   * the saturated resource (saturation drills).
   */
  service: string;
  /**
   * Latency drills only: what the slowest span tells you to search the service's code for;
   * its name, a word of the statement it ran, or the feature flag it evaluated (a
   * `feature_flag.evaluation` event: the span spent its time in the service's own code, and
   * the flag names the branch it took).
   */
  clue?: { inAttribute: string; word: string } | { spanName: true } | { flagEvent: true };
  /** The source line the thread ends at, and a text it must hold. */
  code: { file: string; text: string };
}

const PAYMENT_ERRORS = 'service_name="payment-service", http_response_status_code=~"5.."';
const PAYMENT_UNREACHABLE =
  'service_name="order-service", peer_service="payment-service", http_request_method="POST", error_type="unreachable"';

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
      file: 'services/payment-service/src/clients/card-provider.ts',
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
      file: 'services/payment-service/src/clients/card-provider.ts',
      text: 'throw new CardProviderFailed()',
    },
  },
  {
    name: 'payment-unreachable',
    story: 'Customers say no order goes through at all; the shop answers at once, with an error.',
    fault: 'paymentUnreachable',
    options: {},
    concurrency: 4,
    alert: {
      name: 'DependencyFailures',
      labels: { service_name: 'order-service', peer_service: 'payment-service' },
    },
    // The caller's view (payment-service never hears of these calls), of the charge a
    // customer's order makes; the reconciler's lookups (GET) run in traces of their own.
    exemplars: {
      metric: 'http_client_request_duration_seconds_bucket',
      selector: PAYMENT_UNREACHABLE,
      pick: 'error',
    },
    service: 'order-service',
    code: {
      file: 'services/order-service/src/clients/payment-client.ts',
      text: "throw new DependencyUnavailable('payment-service', 'unreachable'",
    },
  },
  {
    name: 'user-service-latency',
    story: 'Customers say checkout got slow, every time, whatever they buy; nothing fails.',
    fault: 'userServiceLatency',
    // As flags.json ships it: every lookup takes 500 to 700 ms longer, all in the (0.5 s,
    // 0.75 s] bucket, so user-service's p95 reads about 0.74 s against its 0.5 s objective.
    options: { delayMs: 500, jitterMs: 200 },
    concurrency: 4,
    alert: { name: 'HighLatency', labels: { service_name: 'user-service' } },
    exemplars: {
      metric: 'http_server_request_duration_seconds_bucket',
      selector: 'service_name="user-service"',
      pick: 'slow',
    },
    service: 'user-service',
    clue: { flagEvent: true },
    code: {
      file: 'services/user-service/src/domain/users.ts',
      text: "faults.delay('userServiceLatency')",
    },
  },
  {
    name: 'memory-leak',
    story: 'Nobody complains yet. The page says user-service keeps more and more memory.',
    fault: 'memoryLeak',
    // As flags.json ships it: 512 KiB kept per user lookup, up to 32 MiB (64 lookups), outside
    // the heap; the MemoryGrowth threshold is 24 MiB.
    options: { kbPerRequest: 512, maxMb: 32 },
    // Two orders a second: 64 user lookups reach the leak's cap in half a minute, and more
    // traffic would only bury the fault's audit line under access lines.
    concurrency: 1,
    pauseMs: 500,
    alert: { name: 'MemoryGrowth', labels: { service_name: 'user-service' } },
    exemplars: {
      metric: 'nodejs_external_memory_bytes',
      selector: 'service_name="user-service"',
      pick: 'none',
    },
    service: 'user-service',
    code: {
      file: 'services/user-service/src/domain/users.ts',
      text: "faults.leakMemory('memoryLeak')",
    },
  },
];

/** A saturation drill: its alert watches a gauge, and its thread has no exemplar. */
export function isSaturation(drill: Drill): boolean {
  return drill.exemplars.pick === 'none';
}

export function drillNamed(name: string): Drill | undefined {
  return DRILLS.find((drill) => drill.name === name);
}
