import { createCounter, ProblemError, problemType } from '@sightline/telemetry';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

const rateLimited = createCounter(
  'gateway_rate_limited_total',
  'Requests the gateway refused with 429 because their client exceeded the rate limit.',
  ['method'],
);

export interface RateLimitSettings {
  /** Requests one client may make per window. */
  max: number;
  windowMs: number;
}

/**
 * A fixed-window limit per client address (`request.ip`: the TCP peer, or what the trusted
 * proxies named in TRUST_PROXY say it is). Counts live in this process's memory: each gateway
 * replica limits on its own. Over the limit, the answer is a 429 problem with `Retry-After`,
 * through the same error handler as every other problem.
 */
export function clientRateLimit(settings: RateLimitSettings): RequestHandler {
  return rateLimit({
    limit: settings.max,
    windowMs: settings.windowMs,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Ignoring X-Forwarded-For unless TRUST_PROXY says otherwise is the point, not a mistake.
    validate: { xForwardedForHeader: false },
    handler: (request, _response, next) => {
      rateLimited.inc({ method: request.method });
      next(
        new ProblemError({
          type: problemType('rate-limited'),
          title: 'Too many requests',
          status: 429,
          detail: `More than ${settings.max} requests in ${settings.windowMs / 1000} s from one client; see Retry-After.`,
        }),
      );
    },
  });
}
