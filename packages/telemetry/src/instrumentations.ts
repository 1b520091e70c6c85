/**
 * Which libraries are traced: `getNodeAutoInstrumentations` from
 * `@opentelemetry/auto-instrumentations-node`, the package a team copying this template
 * expects, with its standard variables:
 *
 *   OTEL_NODE_ENABLED_INSTRUMENTATIONS   comma-separated names without the
 *                                        `@opentelemetry/instrumentation-` prefix; unset here
 *                                        means `http,express,pg,pino`, what the services use
 *   OTEL_NODE_DISABLED_INSTRUMENTATIONS  taken away from that list
 *
 * The package imports all of its ~40 instrumentations and its cloud resource detectors as it
 * loads (measured: +190 ms and +19 MiB per service, docs/performance.md). A resolve hook
 * (`loadOnlyEnabled`) gives the package an empty module in place of each instrumentation the
 * variables leave out and of each resource detector (the SDK detects the resource itself),
 * so only the enabled ones are loaded, and those as the ES modules the SDK loads anyway rather
 * than as second, CommonJS copies. The package's own code skips the left-out ones by the same
 * variables, so it never touches an empty module.
 */
import { createRequire, isBuiltin, registerHooks } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { Instrumentation, InstrumentationBase } from '@opentelemetry/instrumentation';
import type * as AutoInstrumentations from '@opentelemetry/auto-instrumentations-node';
import type { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { linkUntrustedParent } from './inbound-context.ts';

/** What the services use: their HTTP server and clients, Express, PostgreSQL and pino. */
export const DEFAULT_INSTRUMENTATIONS = 'http,express,pg,pino';

const PREFIX = '@opentelemetry/instrumentation-';
const AUTO_PACKAGE = '/node_modules/@opentelemetry/auto-instrumentations-node/';

/** Paths that are polled, not used: tracing them would bury real requests in noise. */
const UNTRACED_PATHS = ['/health/live', '/health/ready', '/metrics'];

export function isUntracedPath(url: string | undefined): boolean {
  const path = url?.split('?')[0];
  return path !== undefined && UNTRACED_PATHS.includes(path);
}

/** The instrumentation packages the variables enable, by their full names. */
export function enabledInstrumentations(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => `${PREFIX}${name}`);
  const disabled = new Set(list(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS));
  const enabled = list(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS || DEFAULT_INSTRUMENTATIONS);
  return enabled.filter((name) => !disabled.has(name));
}

const ESM_CONDITIONS = ['node', 'import', 'module-sync', 'node-addons'];
const EMPTY_MODULE = new URL('./not-loaded.cjs', import.meta.url).href;

/**
 * Points the package's imports of every instrumentation outside `enabled`, and of the
 * resource detectors, at an empty module, so their code is never loaded.
 */
function loadOnlyEnabled(enabled: string[]): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const fromPackage = context.parentURL?.includes(AUTO_PACKAGE) ?? false;
      const leftOut =
        (specifier.startsWith(PREFIX) && !enabled.includes(specifier)) ||
        specifier.startsWith('@opentelemetry/resource-detector-');
      if (fromPackage && leftOut) return { url: EMPTY_MODULE, shortCircuit: true };
      // What it does load, it gets as the ES modules the SDK already loaded (Node requires
      // an ES module synchronously), not as a second, CommonJS copy of each.
      if (fromPackage && specifier.startsWith('@opentelemetry/'))
        return nextResolve(specifier, { ...context, conditions: ESM_CONDITIONS });
      return nextResolve(specifier, context);
    },
  });
}

/**
 * The instrumentations to give the SDK, each configured for how Sightline uses it. The
 * package is loaded as CommonJS: an empty module can stand in for a `require`, not for an
 * ES module's named imports.
 */
export function nodeInstrumentations(): Instrumentation[] {
  // Our default for the standard variable, so the package reads the same list we load.
  process.env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ||= DEFAULT_INSTRUMENTATIONS;
  loadOnlyEnabled(enabledInstrumentations());
  const require = createRequire(import.meta.url);
  const { getNodeAutoInstrumentations } =
    require('@opentelemetry/auto-instrumentations-node') as typeof AutoInstrumentations;
  return getNodeAutoInstrumentations({
    '@opentelemetry/instrumentation-http': {
      ignoreIncomingRequestHook: (request: IncomingMessage) => isUntracedPath(request.url),
      requestHook: linkUntrustedParent,
    },
    // Express instrumentation is here for `http.route`: it names the route on the server
    // span (`GET /api/orders/:id`) for every layer, spans or not. Its own spans would only
    // repeat the server span: middleware and routers are noise, and a route handler's span
    // has the server span's route and duration. Recording and exporting that copy cost
    // about a tenth of telemetry's CPU per request (docs/performance.md).
    '@opentelemetry/instrumentation-express': {
      ignoreLayersType: ['middleware', 'router', 'request_handler'] as ExpressLayerType[],
    },
    // Queries outside a request (migrations, readiness probes) would be lone root spans.
    // Pool connect spans time the pool, not the query, and carry pg-pool's own attributes
    // (`db.postgresql.idle.timeout.millis`) that no semantic convention defines.
    '@opentelemetry/instrumentation-pg': { requireParentSpan: true, ignoreConnectSpans: true },
    // Ships every pino line to the OTel logs pipeline; trace ids are added by our logger.
    '@opentelemetry/instrumentation-pino': { disableLogCorrelation: true },
  });
}

/**
 * The packages these instrumentations patch when the application imports them as ES modules
 * (`express`, `pg`, `pino`): the only ones the ESM loader hook needs to wrap. Node's built-in
 * modules are patched without it.
 */
export function patchedModules(instrumentations: Instrumentation[]): string[] {
  const names = instrumentations
    .filter((i): i is InstrumentationBase => 'getModuleDefinitions' in i)
    .flatMap((i) => i.getModuleDefinitions().map((definition) => definition.name));
  return [...new Set(names.filter((name) => !isBuiltin(name)))];
}
