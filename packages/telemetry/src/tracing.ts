import { setTimeout as sleep } from 'node:timers/promises';
import { logs } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { PolicyPropagator } from './inbound-context.ts';
import { conventionalLoggerProvider } from './log-attributes.ts';
import { serviceIdentity } from './service-identity.ts';

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK. Trace and log exporters, endpoint, protocol, batching and
 * sampler all come from the standard `OTEL_*` environment variables (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, …); by default
 * OTLP over HTTP to localhost:4318, parent-based always-on. When nothing listens there the
 * exporters drop their batches (bounded queues) and the service carries on. The
 * instrumentations come from `nodeInstrumentations()` (instrumentations.ts).
 */
export function startTracing(instrumentations: Instrumentation[]): void {
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
    instrumentations,
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
