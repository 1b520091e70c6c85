import type { SpanContext } from '@opentelemetry/api';

/**
 * Whether the collector's production sampling profile (otel-collector/sampling-production.yaml)
 * keeps a request's trace, as far as this service can tell on its own, so an exemplar is
 * attached only where it leads to a trace that exists. With every trace kept (the default
 * profile) every sampled request qualifies.
 *
 *   SIGHTLINE_SAMPLING=production            the collector samples; attach exemplars selectively
 *   SIGHTLINE_SAMPLING_PERCENTAGE            the share of ordinary traces kept (default 10)
 *   SIGHTLINE_LATENCY_OBJECTIVE_SECONDS      this service's latency objective, if known
 *
 * A trace the collector keeps for a reason this service cannot see (another service's error or
 * slow span) simply has no exemplar here: every exemplar resolves, not every kept trace has one.
 */
export interface SamplingProfile {
  production: boolean;
  percentage: number;
  objectiveSeconds?: number;
}

export function samplingProfile(env: NodeJS.ProcessEnv = process.env): SamplingProfile {
  const percentage = Number(env.SIGHTLINE_SAMPLING_PERCENTAGE ?? 10);
  const objective = Number(env.SIGHTLINE_LATENCY_OBJECTIVE_SECONDS);
  return {
    production: env.SIGHTLINE_SAMPLING === 'production',
    percentage: Number.isFinite(percentage) ? percentage : 10,
    ...(objective > 0 ? { objectiveSeconds: objective } : {}),
  };
}

/** What the service knows of one request once it is answered. */
export interface RequestOutcome {
  spanContext: SpanContext;
  /** The answer was a 5xx: the server span has status ERROR. */
  failed: boolean;
  seconds: number;
}

export function traceKept(profile: SamplingProfile, outcome: RequestOutcome): boolean {
  if (!profile.production) return true;
  const { spanContext, failed, seconds } = outcome;
  if (failed) return true;
  if (profile.objectiveSeconds !== undefined && seconds > profile.objectiveSeconds) return true;
  if (spanContext.traceState?.get('sightline') === 'keep') return true;
  return inKeptShare(spanContext.traceId, profile.percentage);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MAX_UINT64 = 0xffffffffffffffffn;
/** The tail sampler's probabilistic policy salts its hash with this unless configured. */
const HASH_SALT = 'default-hash-seed';

/**
 * The tail sampler's probabilistic policy, computed alike: FNV-1a (64 bit) over the salt and
 * the trace id's 16 bytes, kept when at most MaxUint64 × share
 * (processor/tailsamplingprocessor/internal/sampling/probabilistic.go).
 */
export function inKeptShare(traceId: string, percentage: number): boolean {
  if (percentage >= 100) return true;
  if (percentage <= 0) return false;
  return traceIdHash(traceId) <= shareThreshold(percentage);
}

export function traceIdHash(traceId: string): bigint {
  let hash = FNV_OFFSET;
  for (const byte of [...Buffer.from(HASH_SALT, 'utf8'), ...Buffer.from(traceId, 'hex')]) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MAX_UINT64;
  }
  return hash;
}

/**
 * MaxUint64 × share, truncated. The collector rounds the product to 64 bits before truncating,
 * which can make its threshold one more than this: a trace id would have to hash to exactly
 * that value (a chance of one in 2^64) for the two to disagree.
 */
export function shareThreshold(percentage: number): bigint {
  // percentage / 100 as a float64 is an integer over 2^64 for any share above 2^-11.
  const scale = 2n ** 64n;
  return (MAX_UINT64 * BigInt(Math.round((percentage / 100) * Number(scale)))) / scale;
}
