import { fileURLToPath } from 'node:url';
import {
  createPool,
  databaseCheck,
  loadConfig,
  migrate,
  runService,
  startService,
  type RunningService,
} from '@sightline/telemetry';
import { PaymentClient } from './clients/payment-client.ts';
import { UserClient } from './clients/user-client.ts';
import { configSchema, type Config } from './config.ts';
import { PostgresCatalog } from './data/catalog-repository.ts';
import { PostgresOrderRepository } from './data/order-repository.ts';
import { Orders } from './domain/orders.ts';
import { mapOrderError, orderRoutes } from './routes.ts';

const MIGRATIONS = fileURLToPath(new URL('./data/migrations', import.meta.url));

export async function start(config: Config): Promise<RunningService> {
  const pool = createPool(config.DATABASE_URL);
  await migrate(pool, MIGRATIONS);
  const orders = new Orders({
    repository: new PostgresOrderRepository(pool),
    catalog: new PostgresCatalog(pool),
    users: new UserClient(config.USER_SERVICE_URL, config.DEPENDENCY_TIMEOUT_MS),
    payments: new PaymentClient(config.PAYMENT_SERVICE_URL, config.DEPENDENCY_TIMEOUT_MS),
  });
  return startService({
    routes: orderRoutes(orders),
    mapError: mapOrderError,
    readiness: [databaseCheck(pool)],
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    readinessDelayMs: config.SHUTDOWN_READINESS_DELAY_MS,
    onStop: [() => pool.end()],
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
