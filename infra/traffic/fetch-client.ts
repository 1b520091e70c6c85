import type { JourneyClient, JourneyRequest } from '../../load-tests/journey.ts';

export interface RecordedCheck {
  endpoint: string;
  check: string;
  passed: boolean;
  /** The status of the response judged, and for a problem its title and detail: why it failed. */
  status: number;
  problem?: string;
}

function problemOf(body: string): string | undefined {
  try {
    const { title, detail } = JSON.parse(body) as { title?: unknown; detail?: unknown };
    return [title, detail].filter((part) => typeof part === 'string').join(': ') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The journey's requests and checks (load-tests/journey.ts), sent with Node's fetch instead
 * of k6: what k6-client.ts does, with what was sent and every check's outcome kept for the
 * caller to read. The traffic service and the journey test both send through it.
 */
export function fetchClient(
  gateway: string,
  { timeoutMs = 15_000 }: { timeoutMs?: number } = {},
): JourneyClient & { sent: JourneyRequest[]; checks: RecordedCheck[] } {
  const sent: JourneyRequest[] = [];
  const checks: RecordedCheck[] = [];
  return {
    sent,
    checks,
    async send(request) {
      sent.push(request);
      const response = await fetch(`${gateway}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: await response.text(),
      };
    },
    check(request, response, named) {
      let all = true;
      for (const [check, predicate] of Object.entries(named)) {
        const passed = predicate(response);
        const recorded: RecordedCheck = {
          endpoint: request.name,
          check,
          passed,
          status: response.status,
        };
        if (!passed && response.status >= 400) recorded.problem = problemOf(response.body);
        checks.push(recorded);
        all &&= passed;
      }
      return all;
    },
  };
}
