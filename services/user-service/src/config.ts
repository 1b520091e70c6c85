import {
  adminTokenSettings,
  baseConfigSchema,
  portSetting,
  statementTimeoutSetting,
} from '@sightline/telemetry';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: portSetting(8001),
  DATABASE_URL: z.url().describe('PostgreSQL connection string of the users database'),
  DATABASE_STATEMENT_TIMEOUT_MS: statementTimeoutSetting(),
  ...adminTokenSettings,
});

export type Config = z.output<typeof configSchema>;
