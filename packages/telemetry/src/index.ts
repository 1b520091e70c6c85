// What a service's own code uses.
export { recordBusinessFacts, type BusinessFacts } from './business-facts.ts';
export { reportError, requestSpan } from './error-reporting.ts';
export { setInboundContextPolicy, type InboundContextPolicy } from './inbound-context.ts';
export { logger, type Logger } from './logger.ts';
// How log lines' fields are named on OTLP log records (declared in telemetry/registry).
export { conventionalLogAttributes, OTLP_NAMES } from './log-attributes.ts';
export { createCounter, createGauge, registry } from './metrics.ts';
export { inSpan } from './spans.ts';
// The collector's production sampling profile, as a service computes it (docs/sampling.md).
export { inKeptShare } from './trace-kept.ts';

// What the service framework (@sightline/service) builds its HTTP stack and client from.
export { startClientCall, type CallOutcome } from './client-metrics.ts';
export { addKitFolder } from './code-location.ts';
export { currentRequestId } from './request-context.ts';
export { requestContext, requestLog, withRoute } from './request-log.ts';
export { metricsRoute, requestMetrics } from './metrics.ts';
export { stopErrorReporting } from './sentry.ts';
export { serviceIdentity, type ServiceIdentity } from './service-identity.ts';
export { LOG_LEVELS, presentKeys, sentrySettings } from './settings.ts';
export { stopTracing } from './tracing.ts';
