import { fileURLToPath } from 'node:url';
import { adminTokens } from '@sightline/faults';
import {
  loadConfig,
  openDatabase,
  runPeriodically,
  runService,
  startService,
  type RunningService,
} from '@sightline/service';
import { PaymentClient } from './clients/payment-client.ts';
import { UserClient } from './clients/user-client.ts';
import { configSchema, type Config } from './config.ts';
import { PostgresCatalog } from './data/catalog-repository.ts';
import { PostgresOrderRepository } from './data/order-repository.ts';
import { Orders } from './domain/orders.ts';
import { watchPendingOrders } from './domain/pending-orders.ts';
import { Reconciler } from './domain/reconciler.ts';
import { faults } from './faults.ts';
import { mapOrderError, orderRoutes } from './routes.ts';

const MIGRATIONS = fileURLToPath(new URL('./data/migrations', import.meta.url));

export async function start(config: Config): Promise<RunningService> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    migrations: MIGRATIONS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const repository = new PostgresOrderRepository(database.pool);
  const payments = new PaymentClient(config.PAYMENT_SERVICE_URL, config.DEPENDENCY_TIMEOUT_MS);
  const orders = new Orders({
    repository,
    catalog: new PostgresCatalog(database.pool),
    users: new UserClient(config.USER_SERVICE_URL, config.DEPENDENCY_TIMEOUT_MS),
    payments,
  });
  const reconciler = new Reconciler({
    repository,
    payments,
    minAgeMs: config.RECONCILE_MIN_AGE_MS,
    paymentDeadlineMs: config.PAYMENT_DEADLINE_MS,
    recheckAfterMs: config.RECONCILE_INTERVAL_MS,
  });
  watchPendingOrders(repository);
  const reconciling = runPeriodically('OrderService.reconcile', config.RECONCILE_INTERVAL_MS, () =>
    reconciler.reconcile(),
  );
  return startService({
    routes: orderRoutes(orders),
    mapError: mapOrderError,
    readiness: [database.readiness],
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    readinessDelayMs: config.SHUTDOWN_READINESS_DELAY_MS,
    beforeRoutes: [faults.adminRoutes(adminTokens(config))],
    onStop: [() => reconciling.stop(), database.stop],
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
