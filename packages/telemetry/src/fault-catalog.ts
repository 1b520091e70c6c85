import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The faults a drill can switch on, and the options each takes. Bounds live here; the values
 * used when a fault is switched on without options live in the flag definitions
 * (`faults/flags.json`, flagd's format), so a team serving that file from flagd gets the same
 * defaults. Every fault is owned by the one service whose code holds its fault point.
 */
const ms = (max: number) => z.number().int().min(0).max(max);
/**
 * Whether a card provider's failure came before it charged the card (nothing was charged) or
 * after (the charge is in the provider's ledger, but payment-service never hears of it).
 */
const when = z.enum(['before', 'after']);

export const FAULT_OPTIONS = {
  paymentGatewayTimeout: z.strictObject({
    sku: z.string().min(1).max(64),
    delayMs: ms(30_000),
    when,
  }),
  paymentFailure: z.strictObject({ percent: z.number().int().min(10).max(100), when }),
  paymentUnreachable: z.strictObject({}),
  // Below the default statement timeout (5 s): the slow query is meant to finish, slowly.
  slowDatabase: z.strictObject({ delayMs: ms(4_000).min(1) }),
  userServiceLatency: z.strictObject({ delayMs: ms(10_000), jitterMs: ms(10_000) }),
  eventLoopBlock: z.strictObject({ blockMs: ms(2_000).min(1) }),
  // Capped well inside a service's memory limit (208 MiB in compose).
  memoryLeak: z.strictObject({
    kbPerRequest: z.number().int().min(1).max(10_240),
    maxMb: z.number().int().min(1).max(64),
  }),
} as const;

export type FaultName = keyof typeof FAULT_OPTIONS;
export type FaultOptions<N extends FaultName> = z.output<(typeof FAULT_OPTIONS)[N]>;

export const FAULT_NAMES = Object.keys(FAULT_OPTIONS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULT_OPTIONS, name);
}

/** One flag of a flagd flag-definition file, as far as Sightline uses it. */
const FlagDefinition = z.object({
  state: z.enum(['ENABLED', 'DISABLED']),
  variants: z.object({ off: z.object({}), on: z.record(z.string(), z.unknown()) }),
  defaultVariant: z.literal('off'),
  metadata: z.object({ service: z.string(), description: z.string() }),
});
export type FlagDefinition = z.output<typeof FlagDefinition>;

const FlagFile = z.object({ flags: z.record(z.string(), FlagDefinition) });

export const FLAGS_FILE = new URL('../../../faults/flags.json', import.meta.url);

/**
 * Reads and checks the flag definitions: every fault defined, none unknown, and each `on`
 * variant valid for its fault. A broken file fails the service at start, not mid-drill.
 */
export function readFlagDefinitions(file: URL = FLAGS_FILE): Record<FaultName, FlagDefinition> {
  const { flags } = FlagFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const unknown = Object.keys(flags).filter((name) => !isFaultName(name));
  const missing = FAULT_NAMES.filter((name) => !flags[name]);
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(
      `${file.pathname}: unknown flags [${unknown.join(', ')}], missing flags [${missing.join(', ')}]`,
    );
  }
  for (const name of FAULT_NAMES) FAULT_OPTIONS[name].parse(flags[name]?.variants.on);
  return flags;
}
