import { adminTokens } from '@sightline/faults';
import { loadConfig, runService, startService, type RunningService } from '@sightline/service';
import { configSchema, type Config } from './config.ts';
import { openExampleRepository } from './data/example-repository.ts';
import { Examples } from './domain/examples.ts';
import { faults } from './faults.ts';
import { exampleRoutes, mapExampleError } from './routes.ts';

export async function start(config: Config): Promise<RunningService> {
  const { repository, readiness, onStop } = await openExampleRepository(config);
  return startService({
    routes: exampleRoutes(new Examples(repository)),
    mapError: mapExampleError,
    readiness,
    host: config.HOST,
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    readinessDelayMs: config.SHUTDOWN_READINESS_DELAY_MS,
    beforeRoutes: [faults.adminRoutes(adminTokens(config))],
    onStop,
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
