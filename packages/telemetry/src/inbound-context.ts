import { IncomingMessage } from 'node:http';
import {
  context,
  createContextKey,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * What a process accepts of the trace context its callers send. Inside the system every
 * service trusts its callers (they are our own services). At the edge a caller is anyone:
 * the gateway sets a policy, so that an outsider cannot choose our trace ids or put arbitrary
 * baggage on every downstream call.
 */
export interface InboundContextPolicy {
  /** Continue the caller's trace (`traceparent`), or start a new one that links to it. */
  trustTraceparent: boolean;
  /** The baggage keys passed on; `undefined` passes every key. */
  baggageKeys?: readonly string[];
}

const TRUST_EVERYTHING: InboundContextPolicy = { trustTraceparent: true };
let policy: InboundContextPolicy = TRUST_EVERYTHING;

/**
 * Sets the policy for every request this process receives (it is process-wide, like the
 * propagator it configures). A service at the edge calls it once at start.
 */
export function setInboundContextPolicy(next: InboundContextPolicy | undefined): void {
  policy = next ?? TRUST_EVERYTHING;
}

/** The caller's span context when we did not continue it; the server span links to it. */
const UNTRUSTED_PARENT = createContextKey('sightline untrusted inbound parent');

/**
 * W3C Trace Context and Baggage, with the inbound policy applied on extract. Inject is
 * unchanged: what we send downstream is our own context.
 */
export class PolicyPropagator implements TextMapPropagator {
  private readonly traceContext = new W3CTraceContextPropagator();
  private readonly baggage = new W3CBaggagePropagator();

  inject(current: Context, carrier: unknown, setter: TextMapSetter): void {
    this.traceContext.inject(current, carrier, setter);
    this.baggage.inject(current, carrier, setter);
  }

  extract(parent: Context, carrier: unknown, getter: TextMapGetter): Context {
    let extracted = this.traceContext.extract(parent, carrier, getter);
    if (!policy.trustTraceparent) {
      const caller = trace.getSpanContext(extracted);
      extracted = trace.deleteSpan(extracted);
      if (caller && isSpanContextValid(caller)) {
        extracted = extracted.setValue(UNTRUSTED_PARENT, caller);
      }
    }
    extracted = this.baggage.extract(extracted, carrier, getter);
    const allowed = policy.baggageKeys;
    const baggage = propagation.getBaggage(extracted);
    if (allowed && baggage) {
      const kept = baggage
        .getAllEntries()
        .filter(([key]) => allowed.includes(key))
        .reduce((bag, [key, entry]) => bag.setEntry(key, entry), propagation.createBaggage());
      extracted =
        kept.getAllEntries().length > 0
          ? propagation.setBaggage(extracted, kept)
          : propagation.deleteBaggage(extracted);
    }
    return extracted;
  }

  fields(): string[] {
    return [...this.traceContext.fields(), ...this.baggage.fields()];
  }
}

/**
 * The HTTP instrumentation's request hook: a server span that did not continue its caller's
 * trace links to it instead, so the caller's trace can still be found from ours.
 */
export function linkUntrustedParent(span: Span, request: unknown): void {
  if (!(request instanceof IncomingMessage)) return;
  const caller = context.active().getValue(UNTRUSTED_PARENT) as SpanContext | undefined;
  if (caller) span.addLink({ context: caller });
}
