import { OpenFeature, type Hook } from '@openfeature/server-sdk';
import { trace } from '@opentelemetry/api';
import client from 'prom-client';
import {
  FAULT_NAMES,
  readFlagDefinitions,
  type FaultName,
  type FaultOptions,
} from './fault-catalog.ts';
import { FaultFlagProvider, type ActiveFault } from './fault-provider.ts';
import { logger } from './logger.ts';
import { registry } from './metrics.ts';

/**
 * The process's faults: one OpenFeature provider (faults are per process, like the code that
 * holds their fault points), its audit trail and its metrics. The admin API switches faults
 * here; fault points read them through OpenFeature (faults.ts).
 *
 * Why OpenFeature rather than a plain map: fault points read like any feature flag check,
 * the definitions are flagd's format (a team that runs flagd can serve `faults/flags.json`
 * and swap the provider), and evaluations are visible on spans through a hook. It costs two
 * small Apache-2.0 packages without dependencies of their own.
 */
const DOMAIN = 'sightline-faults';

const faultActive = new client.Gauge({
  name: 'fault_active',
  help: 'Whether a failure-drill fault is switched on in this process (1) or not (0).',
  labelNames: ['fault'],
  registers: [registry],
});

/** What the memoryLeak fault holds, by fault; dropped when the fault goes off. */
const retained = new Map<FaultName, Buffer[]>();
const retainedBytes = () =>
  [...retained.values()].flat().reduce((sum, buffer) => sum + buffer.length, 0);

new client.Gauge({
  name: 'fault_memory_retained_bytes',
  help: 'Memory the memoryLeak fault holds on purpose (0 when it is off).',
  registers: [registry],
  collect() {
    this.set(retainedBytes());
  },
});

function audit(action: 'on' | 'off' | 'expired', fault: ActiveFault, by = fault.by): void {
  const fields = {
    fault: fault.name,
    fault_action: action,
    fault_options: fault.options,
    fault_until: fault.until.toISOString(),
    admin_token_name: by,
  };
  // A fault switched on is worth a reader's attention; its end is routine.
  if (action === 'on') logger.warn(fields, `fault ${fault.name} switched on`);
  else if (action === 'off') logger.info(fields, `fault ${fault.name} switched off`);
  else logger.info(fields, `fault ${fault.name} expired`);
}

function switchedOff(fault: ActiveFault): void {
  faultActive.set({ fault: fault.name }, 0);
  retained.delete(fault.name);
}

const provider = new FaultFlagProvider(readFlagDefinitions(), (fault) => {
  switchedOff(fault);
  audit('expired', fault, 'expiry');
});

/**
 * A fault that is on marks the span it was evaluated in, following OpenTelemetry's
 * `feature_flag.evaluation` event, so a trace shows which fault shaped it.
 */
const spanEvents: Hook = {
  after(hookContext, details) {
    if (details.variant !== 'on') return;
    trace.getActiveSpan()?.addEvent('feature_flag.evaluation', {
      'feature_flag.key': hookContext.flagKey,
      'feature_flag.result.variant': 'on',
      'feature_flag.provider.name': provider.metadata.name,
    });
  },
};

OpenFeature.setProvider(DOMAIN, provider);
const flags = OpenFeature.getClient(DOMAIN);
flags.addHooks(spanEvents);

/** The options of a fault while it is on; `undefined` while it is off. */
export async function activeFault<N extends FaultName>(
  name: N,
): Promise<FaultOptions<N> | undefined> {
  const details = await flags.getObjectDetails(name, {});
  return details.variant === 'on' ? (details.value as FaultOptions<N>) : undefined;
}

export function retainMemory(name: FaultName, bytes: number, maxBytes: number): void {
  const held = retained.get(name) ?? [];
  const total = held.reduce((sum, buffer) => sum + buffer.length, 0);
  // Filled, so the pages are really resident and show in RSS, not just reserved.
  if (total + bytes <= maxBytes) held.push(Buffer.alloc(bytes, 1));
  retained.set(name, held);
}

export interface FaultState {
  name: FaultName;
  description: string;
  on: boolean;
  options?: Record<string, unknown>;
  since?: string;
  until?: string;
  by?: string;
}

function stateOf(name: FaultName): FaultState {
  const fault = provider.get(name);
  return {
    name,
    description: provider.definition(name).metadata.description,
    on: Boolean(fault),
    ...(fault && {
      options: fault.options,
      since: fault.since.toISOString(),
      until: fault.until.toISOString(),
      by: fault.by,
    }),
  };
}

/** The faults whose fault points are in `service`'s code, per the flag definitions. */
export function faultsOf(service: string): FaultName[] {
  return FAULT_NAMES.filter((name) => provider.definition(name).metadata.service === service);
}

export function describeFaults(names: FaultName[]): FaultState[] {
  for (const name of names) faultActive.set({ fault: name }, provider.get(name) ? 1 : 0);
  return names.map(stateOf);
}

/** A fault's options as asked for, laid over its `on` variant's defaults; not yet checked. */
export function withDefaults(name: FaultName, options: Record<string, unknown>): unknown {
  return { ...provider.definition(name).variants.on, ...options };
}

/** Switches a fault on for `durationMs`, with options its schema has accepted. */
export function switchOn<N extends FaultName>(
  name: N,
  options: FaultOptions<N>,
  durationMs: number,
  by: string,
): FaultState {
  const since = new Date();
  const until = new Date(since.getTime() + durationMs);
  const fault = { name, options: options as Record<string, unknown>, since, until, by };
  retained.delete(name);
  provider.set(fault);
  faultActive.set({ fault: name }, 1);
  audit('on', fault);
  return stateOf(name);
}

export function switchOff(name: FaultName, by: string): FaultState {
  const fault = provider.clear(name);
  if (fault) {
    switchedOff(fault);
    audit('off', fault, by);
  }
  return stateOf(name);
}
