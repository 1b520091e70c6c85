import { baseConfigSchema, portSetting, serviceUrlSetting } from '@sightline/service';
import { z } from 'zod';

/** `a, b,c` → `['a', 'b', 'c']`; unset or empty → `[]`. */
const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const flag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false'])
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true');

/**
 * Express's `trust proxy`: which hops in front of the gateway may set `X-Forwarded-For`, as a
 * hop count (`1`) or addresses and subnets (`loopback, 10.0.0.0/8`). Unset trusts none: the
 * client is the TCP peer. `true` (trust anyone) is refused, since any client could then pick
 * the address it is rate-limited as.
 */
const trustProxy = z
  .string()
  .optional()
  .refine((value) => value === undefined || !/^(true|\*)$/i.test(value.trim()), {
    message: 'trusting every proxy lets any client choose its own address; name the hops',
  })
  .transform((value) => {
    if (value === undefined) return false;
    const trimmed = value.trim();
    return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
  });

export const configSchema = baseConfigSchema.extend({
  PORT: portSetting(8080),
  USER_SERVICE_URL: serviceUrlSetting('user-service', 'http://localhost:8001'),
  ORDER_SERVICE_URL: serviceUrlSetting('order-service', 'http://localhost:8002'),
  PAYMENT_SERVICE_URL: serviceUrlSetting('payment-service', 'http://localhost:8003'),
  UPSTREAM_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5_000)
    .describe('How long the gateway waits for a service before answering 504'),
  TRUST_INBOUND_TRACE_CONTEXT: flag(true).describe(
    "Continue a caller's `traceparent` (true), or start a new trace that links to it (false)",
  ),
  BAGGAGE_ALLOWED_KEYS: commaList.describe(
    'Comma-separated baggage keys passed on from callers; every other key is dropped',
  ),
  RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe('Requests one client address may make per window before 429'),
  RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe('The rate-limit window'),
  SIGN_UP_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .positive()
    .default(5)
    .describe('Sign-ups (POST /api/users) one client address may make per window before 429'),
  SIGN_UP_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe('The sign-up rate-limit window'),
  TRUST_PROXY: trustProxy.describe(
    'Proxies trusted to set X-Forwarded-For (hop count or addresses); unset trusts none',
  ),
});

export type Config = z.output<typeof configSchema>;
