import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import type { z } from 'zod';
import type { AdminToken } from './admin-tokens.ts';
import { faultAdminRoutes } from './fault-admin.ts';
import { FaultControl, retainMemory } from './fault-control.ts';
import { readFlagFile, type FlagDefinition } from './flag-file.ts';

/** A service's faults: each one's name and the zod schema of the options it takes. */
export type FaultSchemas = Record<string, z.ZodType<object>>;

export interface FaultDeclaration<S extends FaultSchemas> {
  /** The service whose code holds these faults' points; its flags name it in `metadata.service`. */
  service: string;
  /** The flag-definition file (flagd's format) that defines these faults and their defaults. */
  flagsFile: URL;
  /** Each fault's options: bounds here, the values used without options in the flag file. */
  options: S;
}

/** The faults of `S` whose options have the shape a fault point needs. */
type FaultsShaped<S extends FaultSchemas, Shape> = {
  [N in keyof S & string]: z.output<S[N]> extends Shape ? N : never;
}[keyof S & string];

export interface Faults<S extends FaultSchemas> {
  /** The declared faults' names. */
  readonly names: (keyof S & string)[];
  /** The fault's options while it is on, else `undefined`. */
  active<N extends keyof S & string>(name: N): Promise<z.output<S[N]> | undefined>;
  /** Waits the fault's `delayMs`, plus a random share of its `jitterMs`. */
  delay(name: FaultsShaped<S, { delayMs: number; jitterMs: number }>): Promise<void>;
  /**
   * Keeps the event loop busy until it has spent the fault's `blockMs` of CPU (its own
   * thread's, so a busy machine makes it longer, never lighter): nothing else is served.
   */
  burnCpu(name: FaultsShaped<S, { blockMs: number }>): Promise<void>;
  /** Keeps `kbPerRequest` more memory, up to `maxMb`; released when the fault goes off. */
  leakMemory(name: FaultsShaped<S, { kbPerRequest: number; maxMb: number }>): Promise<void>;
  /**
   * `/admin/faults` for `startService`'s `beforeRoutes`: list, switch on and off these faults
   * with a bearer token. Without tokens (or without faults) nothing is mounted, and the path
   * answers 404 like any unknown one.
   */
  adminRoutes(tokens: AdminToken[]): Router;
}

/**
 * Checks the declaration against the flag file: every declared fault has a flag that names
 * this service, every flag that names this service is declared, and each `on` variant is
 * valid options for its fault. A mismatch fails the service at start, not mid-drill.
 */
function ownFlags(declaration: FaultDeclaration<FaultSchemas>): Record<string, FlagDefinition> {
  const { service, flagsFile, options } = declaration;
  const flags = readFlagFile(flagsFile);
  const declared = Object.keys(options);
  const problems = [
    ...declared
      .filter((name) => !flags[name])
      .map((name) => `${name} is declared, but the file has no flag for it`),
    ...declared
      .filter((name) => flags[name] && flags[name].metadata.service !== service)
      .map((name) => `${name} is declared, but its flag names ${flags[name]?.metadata.service}`),
    ...Object.entries(flags)
      .filter(([name, flag]) => flag.metadata.service === service && !declared.includes(name))
      .map(([name]) => `the flag ${name} names ${service}, which does not declare it`),
  ];
  for (const name of declared.filter((fault) => flags[fault])) {
    const on = options[name]?.safeParse(flags[name]?.variants.on);
    if (on && !on.success) problems.push(`${name}'s "on" variant: ${on.error.message}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `${flagsFile.pathname} and ${service}'s faults disagree:\n  ${problems.join('\n  ')}`,
    );
  }
  return Object.fromEntries(declared.map((name) => [name, flags[name] as FlagDefinition]));
}

/**
 * Declares a service's faults: their names, the options each takes, and the flag file that
 * defines them. Returns the fault points the service's code calls (`faults.active(…)` and
 * friends), each doing nothing while its fault is off, and the admin API that switches them.
 * Error faults are raised by the service itself, after `faults.active(…)`, so the error's code
 * location is the service's line.
 */
export function defineFaults<S extends FaultSchemas>(declaration: FaultDeclaration<S>): Faults<S> {
  const control = new FaultControl(declaration.service, ownFlags(declaration));
  const names = Object.keys(declaration.options);
  const active = (name: string) =>
    control.active(name) as Promise<Record<string, number> | undefined>;
  return {
    names,
    active: (name) => control.active(name) as never,
    async delay(name) {
      const fault = await active(name);
      if (fault) await sleep((fault.delayMs ?? 0) + Math.random() * (fault.jitterMs ?? 0));
    },
    async burnCpu(name) {
      const fault = await active(name);
      if (!fault) return;
      const cpuMs = () => {
        const { user, system } = process.threadCpuUsage();
        return (user + system) / 1000;
      };
      const until = cpuMs() + (fault.blockMs ?? 0);
      while (cpuMs() < until) for (let i = 0; i < 10_000; i++) Math.sqrt(i);
    },
    async leakMemory(name) {
      const fault = await active(name);
      if (fault)
        retainMemory(name, (fault.kbPerRequest ?? 0) * 1024, (fault.maxMb ?? 0) * 1024 * 1024);
    },
    adminRoutes(tokens) {
      const router = Router();
      if (tokens.length > 0 && names.length > 0) {
        router.use('/admin/faults', faultAdminRoutes(control, declaration.options, tokens));
      }
      return router;
    },
  };
}
