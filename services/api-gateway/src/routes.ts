import { clientGoneSignal } from '@sightline/service';
import { requestSpan } from '@sightline/telemetry';
import { Router, type Request, type RequestHandler } from 'express';
import type { Upstream } from './clients/upstream.ts';
import { readOpenApiDocument } from './openapi.ts';

export interface Upstreams {
  users: Upstream;
  orders: Upstream;
  payments: Upstream;
}

/**
 * `traceresponse` (W3C Trace Context level 2): tells the caller which trace its request
 * became, so it can be looked up in Jaeger, Loki or Sentry.
 */
export const traceResponse: RequestHandler = (_request, response, next) => {
  const spanContext = requestSpan()?.spanContext();
  if (spanContext) {
    const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
    response.setHeader('traceresponse', `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
  }
  next();
};

/** Any base will do: only the query of the parsed request target is kept. */
const PARSE_BASE = 'http://gateway.invalid';

/**
 * The path sent upstream, rebuilt from the route that matched and its decoded parameters,
 * each encoded again as one path segment. Nothing of the request target but these and the
 * query reaches the service: not an absolute-form target's host (`GET http://elsewhere/…`),
 * not a `//host` path, not a dot segment.
 */
function upstreamPath(request: Request): string | undefined {
  const template = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof template !== 'string') return undefined;
  let safe = true;
  const path = template.replace(/:(\w+)/g, (_match, name: string) => {
    const value = String(request.params[name] ?? '');
    if (value === '' || value === '.' || value === '..') safe = false;
    return encodeURIComponent(value);
  });
  return safe ? path : undefined;
}

function proxyTo(upstream: Upstream): RequestHandler {
  return async (request, response, next) => {
    const path = upstreamPath(request);
    if (!path) return next();
    const clientGone = clientGoneSignal(response);
    try {
      const answer = await upstream.forward({
        method: request.method,
        path,
        search: new URL(request.originalUrl, PARSE_BASE).search,
        headers: request.headers,
        body: request.body,
        signal: clientGone,
      });
      response.status(answer.status).set(answer.headers).send(answer.body);
    } catch (error) {
      // The client hung up and the call went with it: there is no one to answer.
      if (clientGone.aborted) return;
      throw error;
    }
  };
}

/**
 * The public API: exactly these routes, each owned by one service at its configured address.
 * There is deliberately no `GET /api/users`: a list of every user and their email is not
 * something the public may page through.
 */
export function gatewayRoutes(upstreams: Upstreams): Router {
  const router = Router();
  router.post('/api/users', proxyTo(upstreams.users));
  router.get('/api/users/:id', proxyTo(upstreams.users));
  router.get('/api/products', proxyTo(upstreams.orders));
  router.post('/api/orders', proxyTo(upstreams.orders));
  router.get('/api/orders', proxyTo(upstreams.orders));
  router.get('/api/orders/:id', proxyTo(upstreams.orders));
  router.get('/api/payments/:id', proxyTo(upstreams.payments));
  const openApiDocument = readOpenApiDocument();
  router.get('/openapi.json', (_request, response) => {
    response.json(openApiDocument);
  });
  return router;
}
