import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from 'express';
import { activeFault, retainMemory } from './fault-control.ts';

/**
 * The seam for runtime fault injection. Every request passes `onRequest` before its route
 * handler, and every outgoing service call passes `onCall` before it is sent. An injector may
 * wait (latency), throw a `ProblemError` (an error response) or throw anything else (a crash),
 * and the normal error path turns what it does into responses, logs, spans and metrics, exactly
 * as a real fault would be. By default nothing is injected.
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

/**
 * Fault points, for a service's own code: each reads its fault (an OpenFeature flag switched
 * on through the admin API) and does nothing while it is off. Error faults are raised by the
 * service itself, after `faults.active(…)`, so the error's code location is the service's line.
 */
export const faults = {
  /** The fault's options while it is on, else `undefined`. */
  active: activeFault,

  /** Waits the fault's `delayMs`, plus a random share of its `jitterMs`. */
  async delay(name: 'userServiceLatency'): Promise<void> {
    const fault = await activeFault(name);
    if (fault) await sleep(fault.delayMs + Math.random() * fault.jitterMs);
  },

  /**
   * Keeps the event loop busy until it has spent the fault's `blockMs` of CPU (its own
   * thread's, so a busy machine makes it longer, never lighter): nothing else is served.
   */
  async burnCpu(name: 'eventLoopBlock'): Promise<void> {
    const fault = await activeFault(name);
    if (!fault) return;
    const cpuMs = () => {
      const { user, system } = process.threadCpuUsage();
      return (user + system) / 1000;
    };
    const until = cpuMs() + fault.blockMs;
    while (cpuMs() < until) for (let i = 0; i < 10_000; i++) Math.sqrt(i);
  },

  /** Keeps `kbPerRequest` more memory, up to `maxMb`; released when the fault goes off. */
  async leakMemory(name: 'memoryLeak'): Promise<void> {
    const fault = await activeFault(name);
    if (fault) retainMemory(name, fault.kbPerRequest * 1024, fault.maxMb * 1024 * 1024);
  },
};
