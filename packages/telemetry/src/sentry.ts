import { presentKeys, sentrySettings } from './settings.ts';
import { serviceIdentity } from './service-identity.ts';

type SentrySdk = typeof import('@sentry/node');

/** Loaded only when configured: the SDK costs ~40 MiB and most of a second to import. */
let sentry: SentrySdk | undefined;

/**
 * Sentry receives the errors we report, and only those: no default integrations (they would
 * patch http and add `sentry-trace` headers next to our W3C `traceparent`), and no OpenTelemetry
 * setup of its own (ours owns the tracer provider). It is inert unless `SENTRY_DSN` or
 * `SENTRY_SPOTLIGHT` (a Spotlight sidecar URL, e.g. http://localhost:8969/stream) is set.
 */
export async function startErrorReporting(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Bad settings start nothing here; the service's loadConfig names them and exits.
  const settings = sentrySettings.safeParse(presentKeys(env));
  if (!settings.success) return;
  const { SENTRY_DSN: dsn, SENTRY_SPOTLIGHT: spotlight } = settings.data;
  if (!dsn && !spotlight) return;
  const Sentry = await import('@sentry/node');
  const identity = serviceIdentity();
  Sentry.init({
    dsn,
    environment: identity.environment,
    release: `${identity.name}@${identity.version}`,
    serverName: identity.name,
    enableOpenTelemetrySetup: false,
    defaultIntegrations: false,
    integrations: [
      Sentry.linkedErrorsIntegration(),
      ...(spotlight ? [Sentry.spotlightIntegration({ sidecarUrl: spotlight })] : []),
    ],
  });
  sentry = Sentry;
}

export interface TraceIds {
  traceId: string;
  spanId: string;
}

/** Sends one error to Sentry, carrying the OpenTelemetry trace id so the two can be joined. */
export function captureError(error: unknown, ids: TraceIds | undefined): void {
  const Sentry = sentry;
  if (!Sentry) return;
  Sentry.withScope((scope) => {
    if (ids) {
      scope.setContext('trace', { trace_id: ids.traceId, span_id: ids.spanId });
      scope.setTag('trace_id', ids.traceId);
    }
    Sentry.captureException(error);
  });
}

export async function stopErrorReporting(timeoutMs = 2000): Promise<void> {
  await sentry?.close(timeoutMs);
  sentry = undefined;
}
