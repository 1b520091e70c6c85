import { defineFaults } from '@sightline/faults';
import { z } from 'zod';

const ms = (max: number) => z.number().int().min(0).max(max);

/**
 * user-service's failure-drill faults and the options each takes. Bounds live here; the
 * values used when a fault is switched on without options live in faults/flags.json.
 */
export const faults = defineFaults({
  service: 'user-service',
  flagsFile: new URL('../../../faults/flags.json', import.meta.url),
  options: {
    userServiceLatency: z.strictObject({ delayMs: ms(10_000), jitterMs: ms(10_000) }),
    // Capped well inside a service's memory limit (208 MiB in compose).
    memoryLeak: z.strictObject({
      kbPerRequest: z.number().int().min(1).max(10_240),
      maxMb: z.number().int().min(1).max(64),
    }),
  },
});
