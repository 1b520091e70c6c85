/**
 * The first thing a service loads: `node --import @sightline/telemetry/register src/main.ts`.
 *
 * It registers the ESM loader hook so that `express`, `pg` and `pino` are patched when the
 * application imports them, then starts the OpenTelemetry SDK and, if configured, Sentry.
 * Application code never touches the SDK after this.
 */
import { register } from 'import-in-the-middle/register-hooks.mjs';
import { nodeInstrumentations, patchedModules } from './instrumentations.ts';
import { startErrorReporting } from './sentry.ts';
import { startTracing } from './tracing.ts';

const instrumentations = nodeInstrumentations();
// In-thread (synchronous) hooks, and only for the modules we instrument: the default
// off-thread loader costs a second V8 isolate and wraps every module the service imports.
register({ include: patchedModules(instrumentations) });

startTracing(instrumentations);
await startErrorReporting();
