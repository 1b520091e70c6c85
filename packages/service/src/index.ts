import { addKitFolder } from '@sightline/telemetry';

// Errors this package raises for a service (parseInput, the client) point at the service's line.
addKitFolder(new URL('../', import.meta.url));

export { clientGoneSignal } from './client-gone.ts';
export {
  baseConfigSchema,
  ConfigError,
  loadConfig,
  portSetting,
  serviceUrlSetting,
  statementTimeoutSetting,
} from './config.ts';
export {
  createPool,
  databaseCheck,
  migrate,
  openDatabase,
  type Database,
  type DatabaseOptions,
  type Pool,
  type PoolClient,
  type PoolOptions,
} from './database.ts';
export {
  DatabaseUnavailable,
  isConnectionFailure,
  isDatabaseUnavailable,
} from './database-unavailable.ts';
export {
  DATABASE_RETRY_AFTER_SECONDS,
  errorProblems,
  problemFor,
  type ErrorMapper,
  type ProblemAnswer,
  type ProblemRule,
  type ProblemSpec,
} from './error-handler.ts';
export { setFaultInjector, type FaultInjector } from './fault-injection.ts';
export type { ReadinessCheck } from './health.ts';
export { runPeriodically, type Periodic } from './periodic.ts';
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
  UnsafeRequestTarget,
  type ServiceClientOptions,
} from './service-client.ts';
export { runService, startService, type RunningService, type ServiceOptions } from './service.ts';
