import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { logs } from '@opentelemetry/api';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { linkUntrustedParent, PolicyPropagator } from './inbound-context.ts';
import { conventionalLoggerProvider } from './log-attributes.ts';
import { serviceIdentity } from './service-identity.ts';

/** Paths that are polled, not used: tracing them would bury real requests in noise. */
const UNTRACED_PATHS = ['/health/live', '/health/ready', '/metrics'];

export function isUntracedPath(url: string | undefined): boolean {
  const path = url?.split('?')[0];
  return path !== undefined && UNTRACED_PATHS.includes(path);
}

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK. Trace and log exporters, endpoint, protocol, batching and
 * sampler all come from the standard `OTEL_*` environment variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, …); by default
 * OTLP over HTTP to localhost:4318, parent-based always-on. When nothing listens there the
 * exporters drop their batches (bounded queues) and the service carries on.
 */
export function startTracing(): void {
  if (sdk) return;
  const identity = serviceIdentity();
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: identity.name,
      [ATTR_SERVICE_VERSION]: identity.version,
      'service.instance.id': identity.instanceId,
      'deployment.environment.name': identity.environment,
    }),
    // W3C Trace Context and Baggage, filtered by the inbound policy (inbound-context.ts).
    textMapPropagator: new PolicyPropagator(),
    // Metrics are prom-client's, scraped from /metrics (see metrics.ts); no OTel metrics export.
    metricReaders: [],
    // Only what the services use, not the whole auto-instrumentation bag.
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => isUntracedPath(request.url),
        requestHook: linkUntrustedParent,
      }),
      // Express instrumentation is here for `http.route`: it names the route on the server
      // span (`GET /api/orders/:id`) for every layer, spans or not. Its own spans would only
      // repeat the server span: middleware and routers are noise, and a route handler's span
      // has the server span's route and duration. Recording and exporting that copy cost
      // about a tenth of telemetry's CPU per request (docs/performance.md).
      new ExpressInstrumentation({
        ignoreLayersType: [
          ExpressLayerType.MIDDLEWARE,
          ExpressLayerType.ROUTER,
          ExpressLayerType.REQUEST_HANDLER,
        ],
      }),
      // Queries outside a request (migrations, readiness probes) would be lone root spans.
      // Pool connect spans time the pool, not the query, and carry pg-pool's own attributes
      // (`db.postgresql.idle.timeout.millis`) that no semantic convention defines.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      // Ships every pino line to the OTel logs pipeline; trace ids are added by our logger.
      new PinoInstrumentation({ disableLogCorrelation: true }),
    ],
  });
  sdk.start();
  // Log records leave with semantic-convention attribute names; stdout keeps its own shape.
  const provider = logs.getLoggerProvider();
  logs.disable();
  logs.setGlobalLoggerProvider(conventionalLoggerProvider(provider));
}

/**
 * Flushes and stops the SDK; the last thing a service does before it exits. Bounded: with no
 * collector listening, the exporters would otherwise keep retrying for their full timeout.
 */
export async function stopTracing(timeoutMs = 3_000): Promise<void> {
  const stopping = sdk?.shutdown();
  sdk = undefined;
  await Promise.race([stopping, sleep(timeoutMs, undefined, { ref: false })]);
}
