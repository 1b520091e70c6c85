import { adminTokenSettings } from '@sightline/faults';
import {
  baseConfigSchema,
  portSetting,
  // #region database
  statementTimeoutSetting,
  // #endregion database
} from '@sightline/service';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: portSetting(8004),
  // #region database
  DATABASE_URL: z.url().describe('PostgreSQL connection string of the example-service database'),
  DATABASE_STATEMENT_TIMEOUT_MS: statementTimeoutSetting(),
  // #endregion database
  ...adminTokenSettings,
});

export type Config = z.output<typeof configSchema>;
