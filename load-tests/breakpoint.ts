/**
 * Breakpoint: the arrival rate climbs steadily until a limit is crossed, and the run stops
 * there (abortOnFail). The rate at that moment is what the system sustains. Raise the
 * gateway's RATE_LIMIT_MAX first: from one address, k6 would meet the rate limit before it
 * met the system's limit.
 */
import type { Options } from 'k6/options';
import { iteration } from './k6-client.ts';
import { thresholds, TREND_STATS } from './options.ts';

export const options: Options = {
  scenarios: {
    breakpoint: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 20,
      maxVUs: 500,
      stages: [{ target: 200, duration: '20m' }],
    },
  },
  thresholds: thresholds({ abortOnFail: true }),
  summaryTrendStats: TREND_STATS,
};

export default iteration;
