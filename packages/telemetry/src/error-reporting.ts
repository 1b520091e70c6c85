import { context, isSpanContextValid, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import { codeLocationOf } from './code-location.ts';
import { logger } from './logger.ts';
import { captureError } from './sentry.ts';

/**
 * The span that stands for the current request: the HTTP server span when there is one (the
 * handler's own span may already have ended by the time an error reaches us), else whatever
 * is active.
 */
export function requestSpan(): Span | undefined {
  return getRPCMetadata(context.active())?.span ?? trace.getActiveSpan();
}

/**
 * The one place an unexpected failure becomes telemetry: the request's span is marked ERROR
 * with the exception recorded, one error log line says what and where, and Sentry gets it.
 * Express errors, unhandled rejections and uncaught exceptions all come through here.
 *
 * The line's message is the error's own (`Payment gateway timeout`), so a search for what the
 * failure said finds it; what the process was doing (the request's method and route, or
 * `uncaught exception`) comes in `fields`.
 */
export function reportError(error: unknown, fields: Record<string, unknown> = {}): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const span = requestSpan();
  span?.recordException(err);
  span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });

  logger.error(
    {
      ...fields,
      'error.type': err.name,
      'error.message': err.message,
      'error.stack': err.stack,
      ...codeLocationOf(err),
    },
    err.message || err.name,
  );

  const spanContext = span?.spanContext();
  captureError(
    err,
    spanContext && isSpanContextValid(spanContext)
      ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
      : undefined,
  );
}
