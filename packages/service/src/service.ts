import { isIPv6, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Express, type RequestHandler, type Router } from 'express';
import {
  logger,
  metricsRoute,
  reportError,
  requestContext,
  requestLog,
  requestMetrics,
  stopErrorReporting,
  stopTracing,
} from '@sightline/telemetry';
import { ConfigError } from './config.ts';
import { errorHandler, notFound, type ErrorMapper } from './error-handler.ts';
import { faultInjection } from './fault-injection.ts';
import { mountHealthRoutes, type ReadinessCheck } from './health.ts';

export interface ServiceOptions {
  /** The service's routes: thin handlers that parse, call a use case, map the result. */
  routes: Router;
  /**
   * Handlers every request passes before its body is read, so that what they do holds for
   * requests refused while reading it (malformed JSON, too large) too: the gateway's
   * `traceresponse` header and its rate limit.
   */
  beforeBody?: RequestHandler[];
  /**
   * Domain errors → problems. Of the rest, a database that cannot be reached becomes a 503
   * with `Retry-After` (database-unavailable.ts), and anything else a 500.
   */
  mapError?: ErrorMapper;
  /** What must work before this instance takes traffic (its database, usually). */
  readiness?: ReadinessCheck[];
  /**
   * The address to listen on: the service's `HOST` setting, 127.0.0.1 unless set, so a service
   * run on a laptop is out of its network's reach; containers set 0.0.0.0.
   */
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  /**
   * On SIGTERM, how long `/health/ready` answers 503 before the listener closes, so a load
   * balancer polling it stops sending new requests first. Default 0.
   */
  readinessDelayMs?: number;
  /** Express's `trust proxy`: who may set X-Forwarded-For. Default: nobody. */
  trustProxy?: boolean | number | string;
  /**
   * Handlers every request passes after its body is read and before the service's routes: a
   * service's own admin routes, such as `/admin/faults` (`faults.adminRoutes(tokens)` from
   * @sightline/faults).
   */
  beforeRoutes?: RequestHandler[];
  /** Closed after the last request has drained (database pools, mostly). */
  onStop?: (() => Promise<void>)[];
}

export interface RunningService {
  app: Express;
  server: Server;
  port: number;
  /** Where a client on this machine reaches it. */
  url: string;
  readinessDelayMs: number;
  /** From now on `/health/ready` answers 503; requests are still served. */
  markDraining(): void;
  /** Stop accepting, drain in-flight requests, run `onStop`. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Every service's HTTP stack, in the same order everywhere: request id and log line, RED
 * metrics, the service's own edge handlers, body parsing, request context, its handlers before
 * the routes (an admin API), fault injection, routes, then the one error handler.
 */
function createApp(options: ServiceOptions, isDraining: () => boolean): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  mountHealthRoutes(app, options.readiness ?? [], isDraining);
  app.get('/metrics', metricsRoute);
  app.use(requestLog);
  app.use(requestMetrics);
  for (const handler of options.beforeBody ?? []) app.use(handler);
  app.use(express.json({ limit: '100kb' }));
  app.use(requestContext);
  for (const handler of options.beforeRoutes ?? []) app.use(handler);
  app.use(faultInjection);
  app.use(options.routes);
  app.use(notFound);
  app.use(errorHandler(options.mapError));
  return app;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  let draining = false;
  const app = createApp(options, () => draining);
  const server = app.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { address, port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response goes out; close each then,
      // rather than waiting for the client to hang up.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), options.shutdownTimeoutMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
      for (const onStop of options.onStop ?? []) await onStop();
    })();
    return stopping;
  };

  logger.info({ address, port }, 'listening');
  return {
    app,
    server,
    port,
    url: localUrl(address, port),
    readinessDelayMs: options.readinessDelayMs ?? 0,
    markDraining: () => {
      draining = true;
    },
    stop,
  };
}

/** How a client on this machine reaches a server bound to `address`. */
function localUrl(address: string, port: number): string {
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * Runs a service as a process: SIGTERM/SIGINT first turn readiness to 503 for
 * `readinessDelayMs` (requests are still served meanwhile), then close the listener and
 * drain in-flight requests, then flush telemetry and exit. Unhandled rejections and uncaught
 * exceptions are reported through the same path as request errors.
 */
function runAsProcess(service: RunningService): void {
  let exiting = false;
  const exit = async (code: number, reason: string, readinessDelayMs: number) => {
    if (exiting) return;
    exiting = true;
    logger.info({ reason, readiness_delay_ms: readinessDelayMs }, 'shutting down');
    service.markDraining();
    if (readinessDelayMs > 0) await sleep(readinessDelayMs);
    try {
      await service.stop();
    } catch (error) {
      reportError(error, { 'error.context': 'shutdown' });
      code = 1;
    }
    logger.info('stopped');
    await stopErrorReporting();
    await stopTracing();
    process.exit(code);
  };
  const delay = service.readinessDelayMs;
  process.once('SIGTERM', () => void exit(0, 'SIGTERM', delay));
  process.once('SIGINT', () => void exit(0, 'SIGINT', delay));
  process.on('unhandledRejection', (reason) =>
    reportError(reason, { 'error.context': 'unhandled promise rejection' }),
  );
  process.on('uncaughtException', (error) => {
    reportError(error, { 'error.context': 'uncaught exception' });
    // A broken process stops taking traffic at once; there is nothing to wait for.
    void exit(1, 'uncaught exception', 0);
  });
}

/**
 * A service's `main`: start it, then run it as a process. A start that fails (bad
 * configuration, unreachable database) is reported and ends the process with exit code 1.
 */
export async function runService(start: () => Promise<RunningService>): Promise<void> {
  try {
    runAsProcess(await start());
  } catch (error) {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else reportError(error, { 'error.context': 'start' });
    await stopErrorReporting();
    await stopTracing();
    process.exit(1);
  }
}
