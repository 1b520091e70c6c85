import { defineFaults } from '@sightline/faults';
import { z } from 'zod';

/**
 * order-service's failure-drill faults and the options each takes. Bounds live here; the
 * values used when a fault is switched on without options live in faults/flags.json.
 */
export const faults = defineFaults({
  service: 'order-service',
  flagsFile: new URL('../../../faults/flags.json', import.meta.url),
  options: {
    paymentUnreachable: z.strictObject({}),
    // Below the default statement timeout (5 s): the slow query is meant to finish, slowly.
    slowDatabase: z.strictObject({ delayMs: z.number().int().min(1).max(4_000) }),
    eventLoopBlock: z.strictObject({ blockMs: z.number().int().min(1).max(2_000) }),
  },
});
