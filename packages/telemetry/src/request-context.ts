import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  /** The `x-request-id` a caller sent, or one we made; echoed and passed downstream. */
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
