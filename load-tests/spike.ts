/** Spike: a quiet 2 journeys a second, then 40 within ten seconds for a minute, then quiet again. */
import type { Options } from 'k6/options';
import { iteration } from './k6-client.ts';
import { thresholds, TREND_STATS } from './options.ts';

export const options: Options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: 2,
      timeUnit: '1s',
      preAllocatedVUs: 20,
      maxVUs: 200,
      stages: [
        { target: 2, duration: '1m' },
        { target: 40, duration: '10s' },
        { target: 40, duration: '1m' },
        { target: 2, duration: '10s' },
        { target: 2, duration: '2m' },
      ],
    },
  },
  // A spike may be slow while it lasts; it must not fail requests.
  thresholds: thresholds({ slack: 3 }),
  summaryTrendStats: TREND_STATS,
};

export default iteration;
