import { baseConfigSchema, portSetting, serviceUrlSetting } from '@sightline/telemetry';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: portSetting(8002),
  DATABASE_URL: z.url().describe('PostgreSQL connection string of the orders database'),
  USER_SERVICE_URL: serviceUrlSetting('user-service', 'http://localhost:8001'),
  PAYMENT_SERVICE_URL: serviceUrlSetting('payment-service', 'http://localhost:8003'),
  DEPENDENCY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(2_000)
    .describe('How long a call to user-service or payment-service may take'),
});

export type Config = z.output<typeof configSchema>;
