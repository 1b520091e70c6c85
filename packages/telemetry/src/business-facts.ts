import { trace, type Attributes } from '@opentelemetry/api';
import { requestSpan } from './error-reporting.ts';
import { OTLP_NAMES } from './log-attributes.ts';
import { currentRequestFacts } from './request-context.ts';

/**
 * The business identifiers our telemetry names, as log fields; on spans and OTLP log records
 * they are `sightline.order.id`, `sightline.order.skus`, `sightline.payment.id` and
 * `sightline.customer.ref` (log-attributes.ts, telemetry/registry).
 */
export interface BusinessFacts {
  order_id?: string;
  /** The SKUs of the order's lines, as the order lists them. */
  skus?: string[];
  payment_id?: string;
  /**
   * The customer, as the user id: a random UUID that says nothing about the person. Never an
   * email or a name (docs/telemetry.md says why the id and not a hash of anything).
   */
  customer_ref?: string;
}

/**
 * Names the business facts a request has reached, in one call from domain code: they go on the
 * active span (a domain span such as `OrderService.priceItems`), on the request's server span,
 * and on every later log line of the request (its request line, an error line). Facts not
 * known yet are left out; a fact named again replaces the earlier value.
 */
export function recordBusinessFacts(facts: BusinessFacts): void {
  const known = Object.entries(facts).filter(([, value]) => value !== undefined);
  const attributes: Attributes = Object.fromEntries(
    known.map(([field, value]) => [OTLP_NAMES[field] ?? field, value as string | string[]]),
  );
  const active = trace.getActiveSpan();
  active?.setAttributes(attributes);
  const server = requestSpan();
  if (server !== active) server?.setAttributes(attributes);
  Object.assign(currentRequestFacts() ?? {}, Object.fromEntries(known));
}
