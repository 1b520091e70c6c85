import { fileURLToPath } from 'node:url';
import { adminTokens } from '@sightline/faults';
import {
  loadConfig,
  openDatabase,
  runService,
  startService,
  type RunningService,
} from '@sightline/service';
import { configSchema, hashPoolSettings, type Config } from './config.ts';
import { PostgresUserRepository } from './data/user-repository.ts';
import { Passwords } from './domain/passwords.ts';
import { Users } from './domain/users.ts';
import { WorkPool } from './domain/work-pool.ts';
import { faults } from './faults.ts';
import { mapUserError, userRoutes } from './routes.ts';

const MIGRATIONS = fileURLToPath(new URL('./data/migrations', import.meta.url));

export async function start(config: Config): Promise<RunningService> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    migrations: MIGRATIONS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const passwords = new Passwords(new WorkPool(hashPoolSettings(config)));
  return startService({
    routes: userRoutes(new Users(new PostgresUserRepository(database.pool), passwords)),
    mapError: mapUserError,
    readiness: [database.readiness],
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    readinessDelayMs: config.SHUTDOWN_READINESS_DELAY_MS,
    beforeRoutes: [faults.adminRoutes(adminTokens(config))],
    onStop: [database.stop],
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
