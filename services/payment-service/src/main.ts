import { fileURLToPath } from 'node:url';
import { adminTokens } from '@sightline/faults';
import {
  loadConfig,
  openDatabase,
  runService,
  startService,
  type RunningService,
} from '@sightline/service';
import { SimulatedCardProvider } from './clients/card-provider.ts';
import { OrderClient } from './clients/order-client.ts';
import { configSchema, type Config } from './config.ts';
import { PostgresProviderLedger } from './data/card-provider-ledger.ts';
import { PostgresPaymentRepository } from './data/payment-repository.ts';
import { Payments } from './domain/payments.ts';
import { faults } from './faults.ts';
import { mapPaymentError, paymentRoutes } from './routes.ts';

const MIGRATIONS = fileURLToPath(new URL('./data/migrations', import.meta.url));

export async function start(config: Config): Promise<RunningService> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    migrations: MIGRATIONS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const payments = new Payments({
    repository: new PostgresPaymentRepository(database.pool),
    // The provider is simulated in-process; its ledger is its own table in this database.
    provider: new SimulatedCardProvider(
      new PostgresProviderLedger(database.pool),
      config.PROVIDER_LATENCY_MS,
    ),
    orders: new OrderClient(config.ORDER_SERVICE_URL, config.DEPENDENCY_TIMEOUT_MS),
    processingTimeoutMs: config.PROCESSING_TIMEOUT_MS,
  });
  return startService({
    routes: paymentRoutes(payments),
    mapError: mapPaymentError,
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
