import { adminTokenSettings } from '@sightline/faults';
import {
  baseConfigSchema,
  portSetting,
  serviceUrlSetting,
  statementTimeoutSetting,
} from '@sightline/service';
import { z } from 'zod';

/** The simulated provider answers within 1.5 times its typical latency (see card-provider.ts). */
const PROVIDER_JITTER = 1.5;

export const configSchema = baseConfigSchema
  .extend({
    PORT: portSetting(8003),
    DATABASE_URL: z.url().describe('PostgreSQL connection string of the payments database'),
    DATABASE_STATEMENT_TIMEOUT_MS: statementTimeoutSetting(),
    ...adminTokenSettings,
    ORDER_SERVICE_URL: serviceUrlSetting('order-service', 'http://localhost:8002'),
    DEPENDENCY_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(1_000)
      .describe(
        'How long a call to order-service (what does the order cost?) may take; shorter than order-service waits for a charge',
      ),
    PROVIDER_LATENCY_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(80)
      .describe('Typical latency of the simulated card provider, in milliseconds'),
    PROCESSING_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe(
        'An attempt still `processing` after this long died with its process before the provider answered; it is marked `abandoned`, and the provider is asked what it did before the order is charged again',
      ),
  })
  .refine((config) => config.PROCESSING_TIMEOUT_MS > config.PROVIDER_LATENCY_MS * PROVIDER_JITTER, {
    path: ['PROCESSING_TIMEOUT_MS'],
    message: 'must be longer than the slowest provider answer (1.5 × PROVIDER_LATENCY_MS)',
  });

export type Config = z.output<typeof configSchema>;
