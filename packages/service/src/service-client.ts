import axios, { isAxiosError, isCancel, type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { currentRequestId, startClientCall, type CallOutcome } from '@sightline/telemetry';
import { faultInjector } from './fault-injection.ts';
import { problemType, ProblemError } from './problem.ts';

export type Unavailability = 'timeout' | 'unreachable' | 'failed';

/**
 * A service we depend on could not answer: nothing listened, it took too long, or it failed
 * with a 5xx. The caller may not know whether the call had an effect, so this is never a
 * domain outcome; it surfaces as 503 and is reported as an error.
 */
export class DependencyUnavailable extends ProblemError {
  readonly dependency: string;
  readonly reason: Unavailability;
  constructor(dependency: string, reason: Unavailability, cause: unknown) {
    const detail = {
      timeout: `${dependency} did not answer in time`,
      unreachable: `${dependency} could not be reached`,
      failed: `${dependency} failed to handle the request`,
    }[reason];
    super(
      {
        type: problemType('dependency-unavailable'),
        title: 'A service this request depends on is unavailable',
        status: 503,
        detail,
        dependency,
      },
      { cause },
    );
    this.name = 'DependencyUnavailable';
    this.dependency = dependency;
    this.reason = reason;
  }
}

/**
 * A call that would leave the service it was made for: an absolute URL (`http://elsewhere/…`),
 * a scheme-relative one (`//elsewhere/…`), or another base URL. Raised before anything is
 * sent; it is a bug in the caller, never the dependency's fault.
 */
export class UnsafeRequestTarget extends Error {
  constructor(dependency: string, target: string) {
    super(`refused to send a request for ${dependency} to ${JSON.stringify(target)}`);
    this.name = 'UnsafeRequestTarget';
  }
}

/** Only a path on the configured service: `/…`, never `//host/…` or `scheme:…`. */
function isPathOnly(url: string): boolean {
  return url.startsWith('/') && !url.startsWith('//') && !url.includes('\\');
}

function unavailability(error: unknown): Unavailability {
  if (isAxiosError(error)) {
    if (error.response) return 'failed';
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') return 'timeout';
  }
  return 'unreachable';
}

export interface ServiceClientOptions {
  /** The called service's name, as it appears in errors and logs. */
  dependency: string;
  baseURL: string;
  timeoutMs: number;
  /** Let 5xx answers through instead of raising `DependencyUnavailable` (the gateway's case). */
  passServerErrors?: boolean;
  /**
   * Runs before each call is sent: a typed client's fault point (paymentUnreachable). A
   * `DependencyUnavailable` it throws ends the call as the real failure would, counted in
   * `http_client_request_duration_seconds` with its reason as `error_type`, so the caller's
   * dashboards and DependencyFailures see it; its log line still points at the client's line.
   */
  beforeSend?: () => Promise<void>;
}

/**
 * An axios instance for calling another Sightline service. Trace context travels in the
 * `traceparent` header, added by the HTTP instrumentation; this adds the request id, a timeout,
 * the fault-injection hook, and one error type for "the other side could not answer". 4xx
 * answers are returned, for the typed client to turn into domain results. It calls only its
 * `baseURL`: absolute URLs are refused before sending, and redirects are never followed (a 3xx
 * comes back as an answer).
 */
export function createServiceClient(options: ServiceClientOptions): AxiosInstance {
  const config: CreateAxiosDefaults = {
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    validateStatus: options.passServerErrors ? () => true : (status) => status < 500,
    // A redirect would let the other side choose where our next request goes.
    maxRedirects: 0,
  };
  const client = axios.create(config);
  // Each call's timer, keyed by its config object, which axios hands back with the answer.
  const calls = new WeakMap<object, (outcome: CallOutcome) => void>();
  client.interceptors.request.use(async (request) => {
    // The request names a path; the host is always the configured one.
    const url = request.url ?? '';
    if (!isPathOnly(url) || request.baseURL !== options.baseURL) {
      throw new UnsafeRequestTarget(options.dependency, `${request.baseURL ?? ''}${url}`);
    }
    const record = startClientCall(options.dependency, (request.method ?? 'get').toUpperCase());
    calls.set(request, record);
    try {
      await options.beforeSend?.();
    } catch (error) {
      if (error instanceof DependencyUnavailable) record({ errorType: error.reason });
      throw error;
    }
    const requestId = currentRequestId();
    if (requestId) request.headers.set('x-request-id', requestId);
    await faultInjector().onCall({
      dependency: options.dependency,
      method: (request.method ?? 'get').toUpperCase(),
      url: `${request.baseURL ?? ''}${request.url ?? ''}`,
    });
    return request;
  });
  client.interceptors.response.use(
    (response) => {
      calls.get(response.config)?.({ status: response.status });
      return response;
    },
    (error: unknown) => {
      const config = isAxiosError(error) ? error.config : undefined;
      const record = config && calls.get(config);
      if (error instanceof ProblemError || error instanceof UnsafeRequestTarget) throw error;
      // Our own caller went away and the call was cancelled with it (its `signal`): nothing
      // failed on the other side, and nobody waits for an answer.
      if (isCancel(error)) {
        record?.({ errorType: 'aborted' });
        throw error;
      }
      const reason = unavailability(error);
      record?.({
        status: isAxiosError(error) ? error.response?.status : undefined,
        errorType: reason === 'failed' ? undefined : reason,
      });
      throw new DependencyUnavailable(options.dependency, reason, error);
    },
  );
  return client;
}
