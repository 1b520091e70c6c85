/**
 * Stress: past the busy hour in steps (2×, then 3× the load scenario), held long enough to see
 * queues build. The limits are looser: the question is whether it degrades gracefully.
 */
import type { Options } from 'k6/options';
import { iteration } from './k6-client.ts';
import { thresholds, TREND_STATS } from './options.ts';

export const options: Options = {
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: 20,
      maxVUs: 150,
      stages: [
        { target: 16, duration: '2m' },
        { target: 16, duration: '5m' },
        { target: 24, duration: '2m' },
        { target: 24, duration: '5m' },
        { target: 0, duration: '2m' },
      ],
    },
  },
  thresholds: thresholds({ slack: 2 }),
  summaryTrendStats: TREND_STATS,
};

export default iteration;
