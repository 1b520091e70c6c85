export {
  baseConfigSchema,
  ConfigError,
  loadConfig,
  portSetting,
  serviceUrlSetting,
} from './config.ts';
export { createPool, databaseCheck, migrate, type Pool, type PoolClient } from './database.ts';
export { type ErrorMapper } from './error-handler.ts';
export { reportError, requestSpan } from './error-reporting.ts';
export { setFaultInjector, type FaultInjector } from './faults.ts';
export type { ReadinessCheck } from './health.ts';
export { logger, type Logger } from './logger.ts';
export { createCounter, registry } from './metrics.ts';
export {
  parseInput,
  ProblemError,
  problemType,
  storableText,
  type FieldError,
  type Problem,
} from './problem.ts';
export {
  createServiceClient,
  DependencyUnavailable,
  type ServiceClientOptions,
} from './service-client.ts';
export { runService, startService, type RunningService, type ServiceOptions } from './service.ts';
export { inSpan } from './spans.ts';
