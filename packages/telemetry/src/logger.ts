import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, stdTimeFunctions, type Logger } from 'pino';
import { LOG_LEVELS } from './settings.ts';
import { censor, REDACTED_PATHS } from './redaction.ts';
import { currentRequestFacts, currentRequestId } from './request-context.ts';
import { serviceIdentity } from './service-identity.ts';

export type { Logger };

/**
 * Fields that tie a log line to its request and trace, and to the business facts the request
 * has reached (its order, payment, customer). They are read from the active context at each
 * call, so every line written while a request is being handled carries them, without any call
 * site passing them by hand. A field the call site passes itself wins.
 */
function correlationFields(): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...currentRequestFacts() };
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
    // W3C trace flags: 01 when the trace was sampled at its start, 00 when head sampling
    // dropped it, so a reader can tell there is no trace to look for (docs/sampling.md).
    fields.trace_flags = spanContext.traceFlags.toString(16).padStart(2, '0');
  }
  const requestId = currentRequestId();
  if (requestId) fields.request_id = requestId;
  return fields;
}

/**
 * The logger exists before the config is validated (modules log as they load), so it must not
 * throw on a bad LOG_LEVEL: it starts at `info`, and `loadConfig` reports the bad value with
 * every other bad key.
 */
function initialLevel(value = process.env.LOG_LEVEL): string {
  return LOG_LEVELS.find((level) => level === value) ?? 'info';
}

export const logger: Logger = pino({
  level: initialLevel(),
  base: { 'service.name': serviceIdentity().name },
  timestamp: stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  mixin: correlationFields,
  redact: { paths: REDACTED_PATHS, censor },
});
