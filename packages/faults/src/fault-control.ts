import { OpenFeature, type Hook } from '@openfeature/server-sdk';
import { trace } from '@opentelemetry/api';
import { logger, registry } from '@sightline/telemetry';
import client from 'prom-client';
import { FaultFlagProvider, type ActiveFault } from './fault-provider.ts';
import type { FlagDefinition } from './flag-file.ts';

/**
 * A service's faults: one OpenFeature provider (faults are per service, like the code that
 * holds their fault points), its audit trail and its metrics. The admin API switches faults
 * here; fault points read them through OpenFeature (define-faults.ts).
 *
 * Why OpenFeature rather than a plain map: fault points read like any feature flag check,
 * the definitions are flagd's format (a team that runs flagd can serve the flag file and swap
 * the provider), and evaluations are visible on spans through a hook. It costs two small
 * Apache-2.0 packages without dependencies of their own.
 */
const faultActive = new client.Gauge({
  name: 'fault_active',
  help: 'Whether a failure-drill fault is switched on in this process (1) or not (0).',
  labelNames: ['fault'],
  registers: [registry],
});

/** What a memory-leak fault holds, by fault; dropped when the fault goes off. */
const retained = new Map<string, Buffer[]>();
const retainedBytes = () =>
  [...retained.values()].flat().reduce((sum, buffer) => sum + buffer.length, 0);

new client.Gauge({
  name: 'fault_memory_retained_bytes',
  help: 'Memory a memory-leak fault holds on purpose (0 when none is on).',
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

export interface FaultState {
  name: string;
  description: string;
  on: boolean;
  options?: Record<string, unknown>;
  since?: string;
  until?: string;
  by?: string;
}

export class FaultControl {
  private readonly provider: FaultFlagProvider;
  private readonly flags: ReturnType<typeof OpenFeature.getClient>;
  private readonly definitions: Record<string, FlagDefinition>;

  /** `definitions`: the service's own flags, by fault name. */
  constructor(service: string, definitions: Record<string, FlagDefinition>) {
    this.definitions = definitions;
    this.provider = new FaultFlagProvider(definitions, (fault) => {
      switchedOff(fault);
      audit('expired', fault, 'expiry');
    });
    const provider = this.provider;
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
    // One OpenFeature domain per service, so services started in one process keep apart.
    const domain = `faults:${service}`;
    OpenFeature.setProvider(domain, this.provider);
    this.flags = OpenFeature.getClient(domain);
    this.flags.addHooks(spanEvents);
  }

  /** The options of a fault while it is on; `undefined` while it is off. */
  async active(name: string): Promise<Record<string, unknown> | undefined> {
    const details = await this.flags.getObjectDetails(name, {});
    return details.variant === 'on' ? (details.value as Record<string, unknown>) : undefined;
  }

  describe(names: string[]): FaultState[] {
    for (const name of names) faultActive.set({ fault: name }, this.provider.get(name) ? 1 : 0);
    return names.map((name) => this.stateOf(name));
  }

  /** A fault's options as asked for, laid over its `on` variant's defaults; not yet checked. */
  withDefaults(name: string, options: Record<string, unknown>): unknown {
    return { ...this.definitions[name]?.variants.on, ...options };
  }

  /** Switches a fault on for `durationMs`, with options its schema has accepted. */
  switchOn(name: string, options: object, durationMs: number, by: string): FaultState {
    const since = new Date();
    const until = new Date(since.getTime() + durationMs);
    const fault = { name, options: options as Record<string, unknown>, since, until, by };
    retained.delete(name);
    this.provider.set(fault);
    faultActive.set({ fault: name }, 1);
    audit('on', fault);
    return this.stateOf(name);
  }

  switchOff(name: string, by: string): FaultState {
    const fault = this.provider.clear(name);
    if (fault) {
      switchedOff(fault);
      audit('off', fault, by);
    }
    return this.stateOf(name);
  }

  private stateOf(name: string): FaultState {
    const fault = this.provider.get(name);
    return {
      name,
      description: this.definitions[name]?.metadata.description ?? '',
      on: Boolean(fault),
      ...(fault && {
        options: fault.options,
        since: fault.since.toISOString(),
        until: fault.until.toISOString(),
        by: fault.by,
      }),
    };
  }
}

export function retainMemory(name: string, bytes: number, maxBytes: number): void {
  const held = retained.get(name) ?? [];
  const total = held.reduce((sum, buffer) => sum + buffer.length, 0);
  // Filled, so the pages are really resident and show in RSS, not just reserved.
  if (total + bytes <= maxBytes) held.push(Buffer.alloc(bytes, 1));
  retained.set(name, held);
}
