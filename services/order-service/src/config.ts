import { adminTokenSettings } from '@sightline/faults';
import {
  baseConfigSchema,
  portSetting,
  serviceUrlSetting,
  statementTimeoutSetting,
} from '@sightline/service';
import { z } from 'zod';

const milliseconds = () => z.coerce.number().int().positive();

export const configSchema = baseConfigSchema
  .extend({
    PORT: portSetting(8002),
    DATABASE_URL: z.url().describe('PostgreSQL connection string of the orders database'),
    DATABASE_STATEMENT_TIMEOUT_MS: statementTimeoutSetting(),
    ...adminTokenSettings,
    USER_SERVICE_URL: serviceUrlSetting('user-service', 'http://localhost:8001'),
    PAYMENT_SERVICE_URL: serviceUrlSetting('payment-service', 'http://localhost:8003'),
    DEPENDENCY_TIMEOUT_MS: milliseconds()
      .default(2_000)
      .describe('How long a call to user-service or payment-service may take'),
    RECONCILE_INTERVAL_MS: milliseconds()
      .default(30_000)
      .describe('How often pending orders are settled from what payment-service recorded'),
    RECONCILE_MIN_AGE_MS: milliseconds()
      .default(60_000)
      .describe(
        'How old a pending order must be before the reconciler looks at it; younger ones may still be in their own request',
      ),
    PAYMENT_DEADLINE_MS: milliseconds()
      .default(86_400_000)
      .describe(
        'How long an order placed with an Idempotency-Key may wait, unpaid, for the client to retry; then it is cancelled',
      ),
  })
  .refine((config) => config.RECONCILE_MIN_AGE_MS > config.DEPENDENCY_TIMEOUT_MS, {
    path: ['RECONCILE_MIN_AGE_MS'],
    message:
      'must be longer than DEPENDENCY_TIMEOUT_MS, so an order still being charged is left alone',
  });

export type Config = z.output<typeof configSchema>;
