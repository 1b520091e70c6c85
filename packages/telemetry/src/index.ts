export { adminTokenSettings, adminTokens, type AdminToken } from './admin-tokens.ts';
export { recordBusinessFacts, type BusinessFacts } from './business-facts.ts';
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
  errorProblems,
  problemFor,
  type ErrorMapper,
  type ProblemAnswer,
  type ProblemRule,
  type ProblemSpec,
} from './error-handler.ts';
export { reportError, requestSpan } from './error-reporting.ts';
export { setInboundContextPolicy, type InboundContextPolicy } from './inbound-context.ts';
export { faults, setFaultInjector, type FaultInjector } from './faults.ts';
export type { ReadinessCheck } from './health.ts';
export { logger, type Logger } from './logger.ts';
export { createCounter, createGauge, registry } from './metrics.ts';
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
export { inSpan } from './spans.ts';
