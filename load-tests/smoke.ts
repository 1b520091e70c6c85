/** Smoke: one journey a second for a minute. Does everything work at all? */
import type { Options } from 'k6/options';
import { iteration } from './k6-client.ts';
import { thresholds, TREND_STATS } from './options.ts';

export const options: Options = {
  scenarios: {
    smoke: {
      executor: 'constant-arrival-rate',
      rate: 1,
      timeUnit: '1s',
      duration: '1m',
      preAllocatedVUs: 2,
      maxVUs: 5,
    },
  },
  thresholds: thresholds(),
  summaryTrendStats: TREND_STATS,
};

export default iteration;
