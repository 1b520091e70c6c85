import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  /** The `x-request-id` a caller sent, or one we made; echoed and passed downstream. */
  requestId: string;
  /**
   * The business facts the request has reached so far (its order, payment, customer), as log
   * fields; every later log line of the request carries them (business-facts.ts).
   */
  facts: Record<string, unknown>;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The current request's facts, to add to; `undefined` outside a request. */
export function currentRequestFacts(): Record<string, unknown> | undefined {
  return storage.getStore()?.facts;
}
