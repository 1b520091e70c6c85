export {
  baseConfigSchema,
  ConfigError,
  loadConfig,
  portSetting,
  serviceUrlSetting,
} from './config.ts';
export { createPool, databaseCheck, migrate, type Pool, type PoolClient } from './database.ts';
export { toProblem, type ErrorMapper } from './error-handler.ts';
export { reportError } from './error-reporting.ts';
export { setFaultInjector, type FaultInjector } from './faults.ts';
export type { ReadinessCheck } from './health.ts';
export { logger, type Logger } from './logger.ts';
export { createCounter, registry } from './metrics.ts';
export {
  InvalidRequest,
  parseInput,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  problemType,
  type FieldError,
  type Problem,
} from './problem.ts';
export { currentRequestId } from './request-context.ts';
export {
  createServiceClient,
  DependencyUnavailable,
  type ServiceClientOptions,
} from './service-client.ts';
export { serviceIdentity } from './service-identity.ts';
export { runService, startService, type RunningService, type ServiceOptions } from './service.ts';
export { stopTracing } from './tracing.ts';
export { inSpan } from './spans.ts';
