import type { IncomingHttpHeaders } from 'node:http';
import {
  createServiceClient,
  DependencyUnavailable,
  ProblemError,
  problemType,
} from '@sightline/service';
import { createCounter } from '@sightline/telemetry';

/** Request headers a client may send through the gateway; everything else stays at the edge. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'idempotency-key'];
/** Response headers a service may send back through the gateway. */
const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'location',
  'idempotent-replayed',
  'retry-after',
];

const upstreamFailures = createCounter(
  'gateway_upstream_failures_total',
  'Requests the gateway could not pass on, by upstream and reason.',
  ['upstream', 'reason'],
);

export interface UpstreamRequest {
  method: string;
  /** A path on the service, built by the gateway from a known route, e.g. `/api/orders/…`. */
  path: string;
  /** The query string as the client sent it, with its `?`, or empty. */
  search: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Aborts the call: the client went away, so the service may drop work not yet started. */
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function pick(headers: Record<string, unknown>, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

/**
 * The parsed body, serialized again for the service. JSON nested deeper than the serializer's
 * stack allows parses but cannot be serialized: that is the client's doing, answered as such,
 * never as a service that could not be reached.
 */
function serialize(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  try {
    return Buffer.from(JSON.stringify(body));
  } catch (error) {
    throw new ProblemError(
      {
        type: problemType('body-too-deep'),
        title: 'The request body is nested too deeply',
        status: 400,
        detail: 'The JSON body is nested too deeply to be passed on; flatten it.',
      },
      { cause: error },
    );
  }
}

/**
 * One service behind the gateway, at the address in the gateway's configuration. Whatever the
 * service answers, 5xx included, is passed back as it is, with its `Retry-After`; only "could
 * not answer" (unreachable, timed out) is an error here, answered as the gateway's own 502 or
 * 504 naming the upstream. A call the gateway gives up on (its
 * timeout, or its own client gone) closes the connection, which tells the service to stop.
 */
export class Upstream {
  readonly name: string;
  private readonly http;
  constructor(name: string, baseURL: string, timeoutMs: number) {
    this.name = name;
    this.http = createServiceClient({
      dependency: name,
      baseURL,
      timeoutMs,
      passServerErrors: true,
    });
  }

  async forward(request: UpstreamRequest): Promise<UpstreamResponse> {
    const hasBody = !['GET', 'HEAD'].includes(request.method);
    const data = hasBody ? serialize(request.body) : undefined;
    const response = await this.http
      .request({
        method: request.method,
        url: `${request.path}${request.search}`,
        headers: pick(request.headers, FORWARDED_REQUEST_HEADERS),
        data,
        signal: request.signal,
        validateStatus: () => true,
      })
      .catch((error: unknown) => {
        // A call its own client abandoned is not the service failing: nothing to count.
        if (request.signal?.aborted || !(error instanceof DependencyUnavailable)) throw error;
        throw this.unavailable(error);
      });
    return {
      status: response.status,
      headers: pick(response.headers, FORWARDED_RESPONSE_HEADERS),
      body: response.data,
    };
  }

  /** The gateway's answer when the service could not answer: 504 on its timeout, else 502. */
  private unavailable(error: DependencyUnavailable): ProblemError {
    upstreamFailures.inc({ upstream: this.name, reason: error.reason });
    const timedOut = error.reason === 'timeout';
    return new ProblemError(
      {
        type: problemType(timedOut ? 'gateway-timeout' : 'bad-gateway'),
        title: timedOut ? 'Gateway timeout' : 'Bad gateway',
        status: timedOut ? 504 : 502,
        detail: error.problem.detail,
        upstream: this.name,
      },
      { cause: error },
    );
  }
}
