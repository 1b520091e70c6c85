import { loadConfig, runService, startService, type RunningService } from '@sightline/service';
import { setInboundContextPolicy } from '@sightline/telemetry';
import { Upstream } from './clients/upstream.ts';
import { configSchema, type Config } from './config.ts';
import { clientRateLimit, signUpRateLimit } from './rate-limit.ts';
import { gatewayRoutes, traceResponse } from './routes.ts';

export function start(config: Config): Promise<RunningService> {
  // The gateway is the edge: what callers send in traceparent and baggage is accepted only
  // as configured. The services behind it trust the gateway's context.
  setInboundContextPolicy({
    trustTraceparent: config.TRUST_INBOUND_TRACE_CONTEXT,
    baggageKeys: config.BAGGAGE_ALLOWED_KEYS,
  });
  const timeout = config.UPSTREAM_TIMEOUT_MS;
  return startService({
    routes: gatewayRoutes({
      users: new Upstream('user-service', config.USER_SERVICE_URL, timeout),
      orders: new Upstream('order-service', config.ORDER_SERVICE_URL, timeout),
      payments: new Upstream('payment-service', config.PAYMENT_SERVICE_URL, timeout),
    }),
    // Before the body is read: a refused body still names its trace, and a throttled client's
    // body is never parsed.
    beforeBody: [
      traceResponse,
      clientRateLimit({ max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS }),
      signUpRateLimit({
        max: config.SIGN_UP_RATE_LIMIT_MAX,
        windowMs: config.SIGN_UP_RATE_LIMIT_WINDOW_MS,
      }),
    ],
    host: config.HOST,
    port: config.PORT,
    trustProxy: config.TRUST_PROXY,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    readinessDelayMs: config.SHUTDOWN_READINESS_DELAY_MS,
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
