import { baseConfigSchema, portSetting, serviceUrlSetting } from '@sightline/telemetry';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: portSetting(8080),
  USER_SERVICE_URL: serviceUrlSetting('user-service', 'http://localhost:8001'),
  ORDER_SERVICE_URL: serviceUrlSetting('order-service', 'http://localhost:8002'),
  PAYMENT_SERVICE_URL: serviceUrlSetting('payment-service', 'http://localhost:8003'),
  UPSTREAM_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5_000)
    .describe('How long the gateway waits for a service before answering 504'),
});

export type Config = z.output<typeof configSchema>;
