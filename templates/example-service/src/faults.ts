import { defineFaults } from '@sightline/faults';

/**
 * example-service's failure-drill faults: none yet. To add one, declare it here, its name and
 * the zod schema of its options (e.g. `slowLookup: z.strictObject({ delayMs: z.number() })`),
 * and give it a flag in faults/flags.json whose `metadata.service` is example-service. Its
 * fault point is then `await faults.active('slowLookup')` (or `faults.delay(…)`) in the code
 * that should fail, and `npm run fault` switches it.
 */
export const faults = defineFaults({
  service: 'example-service',
  flagsFile: new URL('../../../faults/flags.json', import.meta.url),
  options: {},
});
