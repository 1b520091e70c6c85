/**
 * The first thing a service loads: `node --import @sightline/telemetry/register src/main.ts`.
 *
 * It registers the ESM loader hook so that `express`, `pg` and `pino` are patched when the
 * application imports them, then starts the OpenTelemetry SDK and, if configured, Sentry.
 * Application code never touches the SDK after this.
 */
import { register } from 'node:module';
import { startErrorReporting } from './sentry.ts';
import { startTracing } from './tracing.ts';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

startTracing();
await startErrorReporting();
