/**
 * The k6 journey (load-tests/journey.ts) as an open-model load, the way k6's arrival-rate
 * executors send it: journeys start at a fixed rate whether or not earlier ones have
 * finished, so a slow system meets a growing queue instead of a politely waiting client.
 * Sent with Node's fetch; every request's latency is kept per endpoint name.
 */
import { runJourney, type JourneyClient, type JourneySession } from '../../load-tests/journey.ts';

export interface JourneyLoadResult {
  journeysStarted: number;
  journeysFinished: number;
  /** Journeys whose checks did not all pass, or that threw. */
  failed: number;
  seconds: number;
  /** Request latencies in ms, by endpoint name. */
  latencies: Map<string, number[]>;
}

function fetchClient(base: string, latencies: Map<string, number[]>): JourneyClient {
  return {
    async send(request) {
      const started = performance.now();
      const response = await fetch(`${base}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
      });
      const body = await response.text();
      const list = latencies.get(request.name) ?? [];
      list.push(performance.now() - started);
      latencies.set(request.name, list);
      return { status: response.status, headers: Object.fromEntries(response.headers), body };
    },
    check: (_request, response, checks) => Object.values(checks).every((check) => check(response)),
  };
}

/**
 * Starts `rate` journeys a second for `seconds`, spread evenly, each with one of `sessions`
 * (signed-up users, reused as k6 reuses a virtual user's), and waits for them all to finish.
 */
export async function journeyLoad(
  base: string,
  sessions: JourneySession[],
  rate: number,
  seconds: number,
): Promise<JourneyLoadResult> {
  const latencies = new Map<string, number[]>();
  const client = fetchClient(base, latencies);
  const running: Promise<void>[] = [];
  let finished = 0;
  let failed = 0;
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const session = sessions[i % sessions.length]!;
    running.push(
      runJourney(client, session, { uniqueId: crypto.randomUUID() })
        .then((outcome) => {
          if (!outcome.ok) failed += 1;
        })
        .catch(() => {
          failed += 1;
        })
        .finally(() => {
          finished += 1;
        }),
    );
  }
  await Promise.all(running);
  return {
    journeysStarted: total,
    journeysFinished: finished,
    failed,
    seconds: (performance.now() - started) / 1000,
    latencies,
  };
}
