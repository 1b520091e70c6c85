import type { RequestHandler } from 'express';

/**
 * The seam for runtime fault injection. Every request passes `onRequest` before its route
 * handler, and every outgoing service call passes `onCall` before it is sent. An injector may
 * wait (latency), throw a `ProblemError` (an error response) or throw anything else (a crash),
 * and the normal error path turns what it does into responses, logs, spans and metrics, exactly
 * as a real fault would be. By default nothing is injected. Drills use named faults instead
 * (@sightline/faults); this seam is for tests that need a failure at an exact point.
 */
export interface FaultInjector {
  onRequest(target: { method: string; path: string }): void | Promise<void>;
  onCall(target: { dependency: string; method: string; url: string }): void | Promise<void>;
}

const noFaults: FaultInjector = { onRequest: () => {}, onCall: () => {} };
let injector: FaultInjector = noFaults;

export function setFaultInjector(next: FaultInjector | undefined): void {
  injector = next ?? noFaults;
}

export function faultInjector(): FaultInjector {
  return injector;
}

export const faultInjection: RequestHandler = async (request, _response, next) => {
  await injector.onRequest({ method: request.method, path: request.path });
  next();
};
