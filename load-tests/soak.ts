/** Soak: the busy hour's rate for two hours, to find leaks, growing queues and slow drift. */
import type { Options } from 'k6/options';
import { iteration } from './k6-client.ts';
import { thresholds, TREND_STATS } from './options.ts';

export const options: Options = {
  scenarios: {
    soak: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 10,
      maxVUs: 40,
      stages: [
        { target: 8, duration: '5m' },
        { target: 8, duration: '2h' },
        { target: 0, duration: '5m' },
      ],
    },
  },
  thresholds: thresholds(),
  summaryTrendStats: TREND_STATS,
};

export default iteration;
