import {
  adminTokens,
  loadConfig,
  runService,
  startService,
  type RunningService,
} from '@sightline/telemetry';
import { configSchema, type Config } from './config.ts';
import { openStorage } from './data/storage.ts';
import { ExampleUseCases } from './domain/use-cases.ts';
import { exampleRoutes, mapExampleError } from './routes.ts';

export async function start(config: Config): Promise<RunningService> {
  const storage = await openStorage(config);
  return startService({
    routes: exampleRoutes(new ExampleUseCases(storage.repository)),
    mapError: mapExampleError,
    readiness: storage.readiness,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    readinessDelayMs: config.SHUTDOWN_READINESS_DELAY_MS,
    adminTokens: adminTokens(config),
    onStop: storage.onStop,
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
