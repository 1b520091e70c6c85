import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import type { Request, RequestHandler } from 'express';
import client from 'prom-client';
import { serviceIdentity } from './service-identity.ts';

/**
 * One registry per process, exposed in OpenMetrics format: the classic Prometheus text format
 * cannot carry exemplars, and exemplars are what take you from a latency bucket to a trace.
 */
export const registry = new client.Registry<typeof client.openMetricsContentType>();
registry.setContentType(client.openMetricsContentType);
registry.setDefaultLabels({ service: serviceIdentity().name });
client.collectDefaultMetrics({ register: registry });

type RequestLabels = 'method' | 'route' | 'status_code';

const requestDuration = new client.Histogram<RequestLabels>({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP requests handled by this service.',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  enableExemplars: true,
  registers: [registry],
});

/** The route template (`/api/orders/:id`), never the raw path: labels must stay low-cardinality. */
function routeOf(request: Request): string {
  const route = request.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? `${request.baseUrl}${route.path}` : 'unmatched';
}

/** RED metrics for every request, each observation carrying the trace id as an exemplar. */
export const requestMetrics: RequestHandler = (request, response, next) => {
  const started = process.hrtime.bigint();
  const spanContext = trace.getActiveSpan()?.spanContext();
  const traceId =
    spanContext && isSpanContextValid(spanContext) && spanContext.traceFlags & TraceFlags.SAMPLED
      ? spanContext.traceId
      : undefined;
  response.once('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    requestDuration.observe({
      labels: { method: request.method, route: routeOf(request), status_code: response.statusCode },
      value: seconds,
      // prom-client types exemplar labels like metric labels; ours is `trace_id`.
      exemplarLabels: (traceId ? { trace_id: traceId } : {}) as Record<RequestLabels, string>,
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

export const metricsRoute: RequestHandler = async (_request, response) => {
  response.type(registry.contentType).send(await registry.metrics());
};
