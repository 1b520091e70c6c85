import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  StandardResolutionReasons,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import type { FlagDefinition } from './flag-file.ts';

export interface ActiveFault {
  name: string;
  options: Record<string, unknown>;
  since: Date;
  until: Date;
  /** The admin token's name that switched it on. */
  by: string;
}

/**
 * An in-process OpenFeature provider for the fault flags: the definitions come from the flagd
 * file (one service's flags), the switched-on state from the admin API. Every fault has an expiry; a timer (unref'd,
 * so it never keeps a process alive) clears it, and an evaluation after `until` finds it off
 * even before the timer has run.
 */
export class FaultFlagProvider implements Provider {
  readonly metadata = { name: 'sightline-faults' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  private readonly definitions: Record<string, FlagDefinition>;
  private readonly active = new Map<string, ActiveFault & { timer: NodeJS.Timeout }>();
  private readonly onExpired: (fault: ActiveFault) => void;

  constructor(
    definitions: Record<string, FlagDefinition>,
    onExpired: (fault: ActiveFault) => void,
  ) {
    this.definitions = definitions;
    this.onExpired = onExpired;
  }

  definition(name: string): FlagDefinition | undefined {
    return this.definitions[name];
  }

  /** Switches a fault on (or replaces its options and expiry). */
  set(fault: ActiveFault): void {
    this.clear(fault.name);
    const timer = setTimeout(() => this.expire(fault.name), fault.until.getTime() - Date.now());
    timer.unref();
    this.active.set(fault.name, { ...fault, timer });
    this.changed(fault.name);
  }

  /** Switches a fault off; returns what was on, if anything. */
  clear(name: string): ActiveFault | undefined {
    const current = this.active.get(name);
    if (!current) return undefined;
    clearTimeout(current.timer);
    this.active.delete(name);
    this.changed(name);
    return {
      name,
      options: current.options,
      since: current.since,
      until: current.until,
      by: current.by,
    };
  }

  /** The fault while it is on and not past its expiry. */
  get(name: string): ActiveFault | undefined {
    const current = this.active.get(name);
    if (current && current.until.getTime() <= Date.now()) {
      this.expire(name);
      return undefined;
    }
    return current;
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
  ): Promise<ResolutionDetails<T>> {
    const definition = this.definitions[flagKey];
    if (!definition) {
      return Promise.resolve({
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
      });
    }
    const fault = definition.state === 'ENABLED' ? this.get(flagKey) : undefined;
    return Promise.resolve(
      fault
        ? {
            value: fault.options as T,
            variant: 'on',
            reason: StandardResolutionReasons.STATIC,
            flagMetadata: { until: fault.until.toISOString() },
          }
        : {
            value: definition.variants.off as T,
            variant: 'off',
            reason:
              definition.state === 'ENABLED'
                ? StandardResolutionReasons.DEFAULT
                : StandardResolutionReasons.DISABLED,
          },
    );
  }

  // Faults are objects; asking for one as another type is a caller's mistake.
  resolveBooleanEvaluation(_key: string, value: boolean) {
    return Promise.resolve(this.typeMismatch(value));
  }
  resolveStringEvaluation(_key: string, value: string) {
    return Promise.resolve(this.typeMismatch(value));
  }
  resolveNumberEvaluation(_key: string, value: number) {
    return Promise.resolve(this.typeMismatch(value));
  }

  private typeMismatch<T>(value: T): ResolutionDetails<T> {
    return { value, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH };
  }

  private expire(name: string): void {
    const fault = this.clear(name);
    if (fault) this.onExpired(fault);
  }

  private changed(name: string): void {
    this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [name] });
  }
}
