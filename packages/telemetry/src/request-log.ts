import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import { pinoHttp } from 'pino-http';
import { logger } from './logger.ts';
import { runWithRequestContext } from './request-context.ts';

const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's request id is trusted only if it looks like one; otherwise we make our own. */
const WELL_FORMED_ID = /^[\w.-]{1,128}$/;

function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && WELL_FORMED_ID.test(offered) ? offered : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The route template the request matched (`/api/orders/:id`), as Express instrumentation saw it. */
export function withRoute<T extends object>(fields: T): T & { route?: string } {
  const route = getRPCMetadata(context.active())?.route;
  return route === undefined ? fields : { ...fields, route };
}

/** One line per finished request: info for success, warn for 4xx, error for 5xx. */
export const requestLog = pinoHttp({
  logger,
  genReqId: requestIdFor,
  customLogLevel: (_request, response, error) => {
    if (error || response.statusCode >= 500) return 'error';
    if (response.statusCode >= 400) return 'warn';
    return 'info';
  },
  customSuccessMessage: (request, response) =>
    `${request.method} ${request.url} ${response.statusCode}`,
  customErrorMessage: (request, response) =>
    `${request.method} ${request.url} ${response.statusCode}`,
  serializers: {
    req: (request: { method: string; url: string }) => ({
      method: request.method,
      url: request.url,
    }),
    res: (response: { statusCode: number }) => ({ status_code: response.statusCode }),
  },
  customAttributeKeys: { responseTime: 'duration_ms' },
  customSuccessObject: (_request, _response, fields: object) => withRoute(fields),
  customErrorObject: (_request, _response, _error, fields: object) => withRoute(fields),
});

/**
 * Makes the request id visible to everything that runs for this request: log lines and the
 * service-to-service client. Mounted after body parsing, whose stream callbacks would
 * otherwise run outside the request's async context.
 */
export function requestContext(request: IncomingMessage, _response: unknown, next: () => void) {
  const requestId = request.id as string;
  runWithRequestContext({ requestId, facts: {} }, next);
}
