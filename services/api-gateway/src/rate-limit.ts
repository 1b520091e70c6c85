import { ProblemError, problemType } from '@sightline/service';
import { createCounter } from '@sightline/telemetry';
import { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

const rateLimited = createCounter(
  'gateway_rate_limited_total',
  'Requests the gateway refused with 429 because their client exceeded a rate limit: every request (limit="requests") or sign-ups (limit="sign_ups").',
  ['method', 'limit'],
);

export interface RateLimitSettings {
  /** Requests one client may make per window. */
  max: number;
  windowMs: number;
}

interface Limit {
  /** The `limit` label, and the policy's name in the `RateLimit` headers. */
  name: 'requests' | 'sign_ups';
  /** What is counted, as the 429's detail says it: "requests", "sign-ups". */
  what: string;
  problem: string;
}

/**
 * A fixed-window limit per client address (`request.ip`: the TCP peer, or what the trusted
 * proxies named in TRUST_PROXY say it is). Counts live in this process's memory: each gateway
 * replica limits on its own. Over the limit, the answer is a 429 problem with `Retry-After`,
 * through the same error handler as every other problem.
 */
function limitPerClient(settings: RateLimitSettings, limit: Limit): RequestHandler {
  return rateLimit({
    limit: settings.max,
    windowMs: settings.windowMs,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: limit.name,
    // Each limit keeps its state under its own name on the request.
    requestPropertyName: `rateLimit_${limit.name}`,
    // Ignoring X-Forwarded-For unless TRUST_PROXY says otherwise is the point, not a mistake.
    validate: { xForwardedForHeader: false },
    handler: (request, _response, next) => {
      rateLimited.inc({ method: request.method, limit: limit.name });
      next(
        new ProblemError({
          type: problemType(limit.problem),
          title: 'Too many requests',
          status: 429,
          detail: `More than ${settings.max} ${limit.what} in ${settings.windowMs / 1000} s from one client; see Retry-After.`,
        }),
      );
    },
  });
}

/** Every request a client sends, on any route. */
export function clientRateLimit(settings: RateLimitSettings): RequestHandler {
  return limitPerClient(settings, { name: 'requests', what: 'requests', problem: 'rate-limited' });
}

/**
 * Sign-ups, apart: each costs user-service a password hash (~0.15 s of CPU and 128 MiB), so a
 * client far under the general limit could still keep user-service busy with them. Matched by
 * the same router rules as the route itself (`POST /API/Users/` is the same route), so no
 * spelling of the path gets past it.
 */
export function signUpRateLimit(settings: RateLimitSettings): Router {
  const router = Router();
  router.post(
    '/api/users',
    limitPerClient(settings, {
      name: 'sign_ups',
      what: 'sign-ups',
      problem: 'sign-ups-rate-limited',
    }),
  );
  return router;
}
