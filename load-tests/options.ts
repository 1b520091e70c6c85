/**
 * What every scenario holds the system to: per-endpoint latency (p95 and p99, by the `name`
 * tag), the share of failed requests and of failed checks. A scenario passes its own limits;
 * the breakpoint scenario stops the run at the first one crossed.
 */
import type { Options, Threshold } from 'k6/options';
import { ENDPOINTS } from './journey.ts';

/** Latency objectives, in milliseconds. Sign-up hashes a password, so it gets longer. */
const OBJECTIVES: Record<string, { p95: number; p99: number }> = {
  [ENDPOINTS.signUp]: { p95: 1500, p99: 3000 },
  [ENDPOINTS.catalog]: { p95: 200, p99: 500 },
  [ENDPOINTS.placeOrder]: { p95: 500, p99: 1000 },
  [ENDPOINTS.readOrder]: { p95: 200, p99: 500 },
};

/** Trend stats sent to Prometheus by remote write, as the Load test dashboard reads them. */
export const TREND_STATS: Options['summaryTrendStats'] = [
  'avg',
  'min',
  'med',
  'max',
  'p(95)',
  'p(99)',
];

export function thresholds({
  abortOnFail = false,
  slack = 1,
}: { abortOnFail?: boolean; slack?: number } = {}): Options['thresholds'] {
  const limit = (threshold: string): Threshold =>
    abortOnFail ? { threshold, abortOnFail: true, delayAbortEval: '30s' } : threshold;
  const result: NonNullable<Options['thresholds']> = {
    http_req_failed: [limit('rate<0.01')],
    checks: [limit('rate>0.99')],
  };
  for (const [name, { p95, p99 }] of Object.entries(OBJECTIVES)) {
    result[`http_req_duration{name:${name}}`] = [
      limit(`p(95)<${p95 * slack}`),
      limit(`p(99)<${p99 * slack}`),
    ];
  }
  return result;
}
