import { baseConfigSchema, portSetting } from '@sightline/telemetry';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: portSetting(8003),
  DATABASE_URL: z.url().describe('PostgreSQL connection string of the payments database'),
  PROVIDER_LATENCY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(80)
    .describe('Typical latency of the simulated card provider, in milliseconds'),
});

export type Config = z.output<typeof configSchema>;
