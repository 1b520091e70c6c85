/**
 * The journey (journey.ts) run by k6: its requests sent with k6's HTTP client, its checks
 * recorded as k6 checks, each tagged with the request's `name` so results group by endpoint.
 * Every scenario file exports `iteration` as its default function.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import {
  runJourney,
  type JourneyClient,
  type JourneyResponse,
  type JourneySession,
} from './journey.ts';

/** The gateway. Compose's k6 service sets it to http://api-gateway:8080. */
const BASE_URL = (__ENV.BASE_URL ?? 'http://localhost:8080').replace(/\/+$/, '');

// A declined card is answered 402 on purpose; only other 4xx and 5xx count as failed requests.
http.setResponseCallback(http.expectedStatuses(200, 201, 402));

const k6Client: JourneyClient = {
  async send(request) {
    const response = await http.asyncRequest(
      request.method,
      `${BASE_URL}${request.path}`,
      request.body ?? null,
      { headers: request.headers, tags: { name: request.name }, responseType: 'text' },
    );
    const headers: JourneyResponse['headers'] = {};
    for (const [key, value] of Object.entries(response.headers)) headers[key.toLowerCase()] = value;
    return {
      status: response.status,
      headers,
      body: typeof response.body === 'string' ? response.body : '',
    };
  },
  check(request, response, checks) {
    return check(response, checks, { name: request.name });
  },
};

/** Per virtual user: k6 runs each VU in its own JavaScript runtime, so this is the VU's own. */
const session: JourneySession = {};

export async function iteration(): Promise<void> {
  await runJourney(k6Client, session, {
    uniqueId: `${Date.now().toString(36)}-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`,
  });
}
