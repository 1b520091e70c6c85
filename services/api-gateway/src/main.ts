import { loadConfig, runService, startService, type RunningService } from '@sightline/telemetry';
import { Upstream } from './clients/upstream.ts';
import { configSchema, type Config } from './config.ts';
import { gatewayRoutes } from './routes.ts';

export function start(config: Config): Promise<RunningService> {
  const timeout = config.UPSTREAM_TIMEOUT_MS;
  return startService({
    routes: gatewayRoutes({
      users: new Upstream('user-service', config.USER_SERVICE_URL, timeout),
      orders: new Upstream('order-service', config.ORDER_SERVICE_URL, timeout),
      payments: new Upstream('payment-service', config.PAYMENT_SERVICE_URL, timeout),
    }),
    port: config.PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

if (import.meta.main) {
  await runService(() => start(loadConfig(configSchema)));
}
