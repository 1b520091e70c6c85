import { defineFaults } from '@sightline/faults';
import { z } from 'zod';

/**
 * Whether a card provider's failure came before it charged the card (nothing was charged) or
 * after (the charge is in the provider's ledger, but payment-service never hears of it).
 */
const when = z.enum(['before', 'after']);

/**
 * payment-service's failure-drill faults and the options each takes. Bounds live here; the
 * values used when a fault is switched on without options live in faults/flags.json.
 */
export const faults = defineFaults({
  service: 'payment-service',
  flagsFile: new URL('../../../faults/flags.json', import.meta.url),
  options: {
    paymentGatewayTimeout: z.strictObject({
      sku: z.string().min(1).max(64),
      delayMs: z.number().int().min(0).max(30_000),
      when,
    }),
    paymentFailure: z.strictObject({ percent: z.number().int().min(10).max(100), when }),
  },
});
