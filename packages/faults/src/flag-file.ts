import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * One flag of a flagd flag-definition file, as the faults use it: off by default, the `on`
 * variant holding the options used when the fault is switched on without any, and
 * `metadata.service` naming the service whose code holds the fault point.
 */
const FlagDefinition = z.object({
  state: z.enum(['ENABLED', 'DISABLED']),
  variants: z.object({ off: z.object({}), on: z.record(z.string(), z.unknown()) }),
  defaultVariant: z.literal('off'),
  metadata: z.object({ service: z.string(), description: z.string() }),
});
export type FlagDefinition = z.output<typeof FlagDefinition>;

const FlagFile = z.object({ flags: z.record(z.string(), FlagDefinition) });

/**
 * Reads a flag-definition file (flagd's format) and checks every flag's shape. Which flags a
 * service must find there, and what their options may be, its own declaration says
 * (`defineFaults`); tools that switch faults read the file to learn each fault's service.
 */
export function readFlagFile(file: URL): Record<string, FlagDefinition> {
  const parsed = FlagFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file.pathname}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.flags;
}
