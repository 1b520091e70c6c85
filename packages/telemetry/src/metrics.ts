import { isSpanContextValid, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import client from 'prom-client';
import { serviceIdentity } from './service-identity.ts';
import { samplingProfile, traceKept, type RequestOutcome } from './trace-kept.ts';

/**
 * One registry per process, exposed in OpenMetrics format: the classic Prometheus text format
 * cannot carry exemplars, and exemplars are what take you from a latency bucket to a trace.
 * `service_name` is what OpenTelemetry's `service.name` becomes in Prometheus, the label the
 * span metrics and Loki carry too, so one label joins all three.
 */
export const registry = new client.Registry<typeof client.openMetricsContentType>();
registry.setContentType(client.openMetricsContentType);
registry.setDefaultLabels({ service_name: serviceIdentity().name });
client.collectDefaultMetrics({ register: registry });

/** OpenTelemetry's recommended boundaries for HTTP durations (semantic conventions). */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** The current span's context, when its trace is sampled. */
export function sampledSpanContext(): SpanContext | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext &&
    isSpanContextValid(spanContext) &&
    spanContext.traceFlags & TraceFlags.SAMPLED
    ? spanContext
    : undefined;
}

const sampling = samplingProfile();

/**
 * The exemplar of an observation: its trace, when sampled and kept by the collector's
 * sampling profile (trace-kept.ts), so every exemplar leads to a trace that exists.
 */
export function traceExemplar(
  spanContext: SpanContext | undefined,
  outcome: Omit<RequestOutcome, 'spanContext'>,
): { trace_id?: string } {
  return spanContext && traceKept(sampling, { spanContext, ...outcome })
    ? { trace_id: spanContext.traceId }
    : {};
}

type RequestLabels =
  'http_request_method' | 'http_route' | 'http_response_status_code' | 'error_type';

/** `http.server.request.duration` as OpenTelemetry's HTTP conventions name it in Prometheus. */
const requestDuration = new client.Histogram<RequestLabels>({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP requests handled by this service.',
  labelNames: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'],
  buckets: HTTP_DURATION_BUCKETS,
  enableExemplars: true,
  registers: [registry],
});

/** What Express adds to a request once a route has matched it. */
type RoutedRequest = IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };

/** A handler in Express's shape (`app.use(handler)`), typed by Node's own request and response. */
type Handler = (request: RoutedRequest, response: ServerResponse, next: () => void) => void;

/** The route template (`/api/orders/:id`), never the raw path: labels must stay low-cardinality. */
function routeOf(request: RoutedRequest): string {
  const route = request.route;
  return typeof route?.path === 'string' ? `${request.baseUrl ?? ''}${route.path}` : 'unmatched';
}

/**
 * RED metrics for every request, each observation carrying the trace id as an exemplar.
 * Observed on `close`, which fires whether the response was sent or the client went away
 * first: a request the client aborted (a timeout upstream, an impatient user) still counts,
 * with `error_type="aborted"` and its status only if headers had gone out.
 */
export const requestMetrics: Handler = (request, response, next) => {
  const started = process.hrtime.bigint();
  const spanContext = sampledSpanContext();
  response.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const labels: Partial<Record<RequestLabels, string | number>> = {
      http_request_method: request.method ?? 'GET',
      http_route: routeOf(request),
    };
    if (response.headersSent) labels.http_response_status_code = response.statusCode;
    if (!response.writableFinished) labels.error_type = 'aborted';
    else if (response.statusCode >= 500) labels.error_type = String(response.statusCode);
    requestDuration.observe({
      labels,
      value: seconds,
      // prom-client types exemplar labels like metric labels; ours is `trace_id`.
      exemplarLabels: traceExemplar(spanContext, {
        failed: response.statusCode >= 500,
        seconds,
      }) as Record<RequestLabels, string>,
    });
  });
  next();
};

/** A business counter, registered on the service's registry. */
export function createCounter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): client.Counter<L> {
  return new client.Counter<L>({ name, help, labelNames, registers: [registry] });
}

/**
 * A gauge whose value is read when Prometheus scrapes. Registering a name again replaces the
 * earlier gauge, so a service started twice in one process reports the newer instance.
 */
export function createGauge(name: string, help: string, read: () => Promise<number>): client.Gauge {
  registry.removeSingleMetric(name);
  return new client.Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}

/** `GET /metrics`: the registry in OpenMetrics text. */
export async function metricsRoute(_request: IncomingMessage, response: ServerResponse) {
  const body = await registry.metrics();
  response.setHeader('content-type', registry.contentType);
  response.end(body);
}
