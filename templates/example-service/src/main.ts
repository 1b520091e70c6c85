import { adminTokens } from '@sightline/faults';
import { loadConfig, runService, startService, type RunningService } from '@sightline/service';
import { configSchema, type Config } from './config.ts';
import { openStorage } from './data/storage.ts';
import { ExampleUseCases } from './domain/use-cases.ts';
import { faults } from './faults.ts';
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
    beforeRoutes: [faults.adminRoutes(adminTokens(config))],
    onStop: storage.onStop,
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
