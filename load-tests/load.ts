/** Load: the expected busy hour, 8 journeys a second for 10 minutes, ramped up and down. */
import type { Options } from 'k6/options';
import { iteration } from './k6-client.ts';
import { thresholds, TREND_STATS } from './options.ts';

export const options: Options = {
  scenarios: {
    load: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 10,
      maxVUs: 40,
      stages: [
        { target: 8, duration: '2m' },
        { target: 8, duration: '10m' },
        { target: 0, duration: '1m' },
      ],
    },
  },
  thresholds: thresholds(),
  summaryTrendStats: TREND_STATS,
};

export default iteration;
