import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_PORTS, SERVICES, serviceUrls, type ServiceSpec } from '../dev/services.ts';
import { backends, binaryPath, inStack } from './backends.ts';
import { NATIVE_PORTS } from './native-ports.ts';
import { ROOT, pin, readPins } from './pins.ts';
import { collectorConfigFiles, latencyObjectives, samplingProfileName } from './sampling.ts';

/**
 * Every process of the native stack: the backends, with the very config files compose
 * mounts and only addresses, ports and paths changed (environment variables or generated
 * target lists), then the alert webhook, Spotlight and the four services. Every one listens
 * on 127.0.0.1 only (LOOPBACK): the stack is for this machine, not its network, as compose
 * publishes its ports on 127.0.0.1 alone.
 */
export const STATE_DIR = join(ROOT, '.data', 'stack');
export const LOG_DIR = join(STATE_DIR, 'logs');
export const PID_DIR = join(STATE_DIR, 'pids');
/** Prometheus' view of its config: links to the repo's files plus generated targets/. */
export const PROMETHEUS_DIR = join(STATE_DIR, 'prometheus');
export const POSTGRES_PORT = Number(process.env.SIGHTLINE_STACK_POSTGRES_PORT ?? 54339);

export interface StackProcess {
  name: string;
  /** A backend's program and arguments; services are started by spawnService instead. */
  command?: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  /** Answers 2xx once the process is ready. */
  health: string;
  /** Every port it listens on, checked free before the stack starts. */
  ports: number[];
  /** What a user opens, if anything. */
  url?: string;
  /** One of our services, started the way they run everywhere (infra/dev/services.ts). */
  service?: ServiceSpec['name'];
}

const local = (port: number | string, path = '/'): string => `http://127.0.0.1:${port}${path}`;
/** The one address every process of the native stack listens on. */
export const LOOPBACK = '127.0.0.1';
const listenOn = (port: number | string): string => `${LOOPBACK}:${port}`;
/** Jaeger's query API over gRPC, on its default port; compose does not publish it. */
const JAEGER_QUERY_GRPC_PORT = 16685;

/**
 * Where the collector sends log records natively, in this order:
 * - `LOKI_OTLP_ENDPOINT` set: there (a Loki of your own elsewhere, or the stack tests'
 *   stand-in receiver); no local Loki is started.
 * - SIGHTLINE_STACK_FROM_PATH names loki: to the Loki binary from your PATH, as in compose.
 * - otherwise nowhere: Loki is AGPL-licensed and never built here, so the collector's
 *   logs pipeline ends in its `nop` exporter instead of retrying an address where nothing
 *   listens. Every service still writes its log lines, trace ids included, to
 *   .data/stack/logs/<service>.log.
 */
export type LogsDestination =
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'local-loki'; endpoint: string }
  | { kind: 'none' };

export function logsDestination(pins = readPins()): LogsDestination {
  const endpoint = process.env.LOKI_OTLP_ENDPOINT?.trim();
  if (endpoint) return { kind: 'endpoint', endpoint };
  if (inStack(backends(pins).loki))
    return { kind: 'local-loki', endpoint: local(pin(pins, 'LOKI_PORT'), '/otlp') };
  return { kind: 'none' };
}

/** The collector's environment for that destination (see otel-collector/config.yaml). */
function collectorLogsEnv(destination: LogsDestination): NodeJS.ProcessEnv {
  return destination.kind === 'none'
    ? { OTELCOL_LOGS_EXPORTER: 'nop' }
    : { OTELCOL_LOGS_EXPORTER: 'otlp_http/loki', LOKI_OTLP_ENDPOINT: destination.endpoint };
}

export function backendProcesses(pins = readPins()): StackProcess[] {
  const all = backends(pins);
  const port = (key: string): string => pin(pins, key);
  const logs = logsDestination(pins);
  const processes: StackProcess[] = [
    {
      name: 'loki',
      command: binaryPath(all.loki, 'loki'),
      args: [`-config.file=${join(ROOT, 'loki/config.yaml')}`, '-config.expand-env=true'],
      env: { LOKI_DATA_DIR: join(STATE_DIR, 'loki'), LOKI_LISTEN_ADDRESS: LOOPBACK },
      health: local(port('LOKI_PORT'), '/ready'),
      ports: [Number(port('LOKI_PORT')), 9096],
    },
    {
      name: 'prometheus',
      command: binaryPath(all.prometheus, 'prometheus'),
      args: [
        `--config.file=${join(PROMETHEUS_DIR, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(PROMETHEUS_DIR, 'data')}`,
        `--web.listen-address=${listenOn(port('PROMETHEUS_PORT'))}`,
        '--enable-feature=exemplar-storage',
        '--web.enable-otlp-receiver',
        '--web.enable-remote-write-receiver',
      ],
      env: {},
      health: local(port('PROMETHEUS_PORT'), '/-/ready'),
      ports: [Number(port('PROMETHEUS_PORT'))],
      url: local(port('PROMETHEUS_PORT')),
    },
    {
      name: 'alert-webhook',
      command: process.execPath,
      args: [join(ROOT, 'infra/alert-webhook/server.ts')],
      env: { PORT: port('ALERT_WEBHOOK_PORT'), HOST: LOOPBACK },
      health: local(port('ALERT_WEBHOOK_PORT'), '/health'),
      ports: [Number(port('ALERT_WEBHOOK_PORT'))],
      url: local(port('ALERT_WEBHOOK_PORT'), '/notifications'),
    },
    {
      name: 'alertmanager',
      command: binaryPath(all.alertmanager, 'alertmanager'),
      args: [
        `--config.file=${join(ROOT, 'prometheus/alertmanager.yml')}`,
        `--storage.path=${join(STATE_DIR, 'alertmanager')}`,
        `--web.listen-address=${listenOn(port('ALERTMANAGER_PORT'))}`,
        // A single instance: no gossip port to clash with anything, or to be reached.
        '--cluster.listen-address=',
      ],
      env: {},
      health: local(port('ALERTMANAGER_PORT'), '/-/ready'),
      ports: [Number(port('ALERTMANAGER_PORT'))],
      url: local(port('ALERTMANAGER_PORT')),
    },
    {
      name: 'jaeger',
      command: binaryPath(all.jaeger, 'jaeger'),
      args: ['--config', join(ROOT, 'infra/jaeger/config.yaml')],
      env: {
        JAEGER_OTLP_GRPC_LISTEN: listenOn(NATIVE_PORTS.jaegerOtlpGrpc),
        JAEGER_OTLP_HTTP_LISTEN: listenOn(NATIVE_PORTS.jaegerOtlpHttp),
        JAEGER_HEALTH_LISTEN: listenOn(NATIVE_PORTS.jaegerHealth),
        JAEGER_QUERY_HTTP_LISTEN: listenOn(port('JAEGER_UI_PORT')),
        JAEGER_QUERY_GRPC_LISTEN: listenOn(JAEGER_QUERY_GRPC_PORT),
        JAEGER_METRICS_HOST: LOOPBACK,
        JAEGER_METRICS_PORT: String(NATIVE_PORTS.jaegerMetrics),
        JAEGER_PROMETHEUS_URL: local(port('PROMETHEUS_PORT'), ''),
        JAEGER_UI_CONFIG: join(ROOT, 'infra/jaeger/ui-config.json'),
      },
      health: local(NATIVE_PORTS.jaegerHealth, '/status'),
      ports: [
        Number(port('JAEGER_UI_PORT')),
        JAEGER_QUERY_GRPC_PORT,
        ...Object.values(NATIVE_PORTS),
      ],
      url: local(port('JAEGER_UI_PORT')),
    },
    {
      name: 'otel-collector',
      command: binaryPath(all.otelcol, 'otelcol'),
      // The sampling profile's overlay after the one config (infra/stack/sampling.ts).
      args: collectorConfigFiles(samplingProfileName()).flatMap((file) => ['--config', file]),
      env: {
        OTELCOL_LISTEN_HOST: LOOPBACK,
        JAEGER_OTLP_GRPC_ENDPOINT: `127.0.0.1:${NATIVE_PORTS.jaegerOtlpGrpc}`,
        ...collectorLogsEnv(logs),
        PROMETHEUS_OTLP_ENDPOINT: local(port('PROMETHEUS_PORT'), '/api/v1/otlp'),
      },
      health: local(port('OTELCOL_HEALTH_PORT')),
      ports: [
        'OTELCOL_GRPC_PORT',
        'OTELCOL_HTTP_PORT',
        'OTELCOL_METRICS_PORT',
        'OTELCOL_HEALTH_PORT',
      ].map((key) => Number(port(key))),
    },
    {
      name: 'spotlight',
      // Its bin is a Node script; run it with this Node rather than whichever is on PATH.
      // Spotlight has no listen-address option; loopback-listen.ts gives it 127.0.0.1.
      command: process.execPath,
      args: [
        '--import',
        pathToFileURL(join(ROOT, 'infra/stack/loopback-listen.ts')).href,
        binaryPath(all.spotlight, 'spotlight'),
        'server',
        '--port',
        port('SPOTLIGHT_PORT'),
      ],
      env: {},
      health: local(port('SPOTLIGHT_PORT'), '/health'),
      ports: [Number(port('SPOTLIGHT_PORT'))],
      url: local(port('SPOTLIGHT_PORT')),
    },
  ];
  return processes.filter((p) => p.name !== 'loki' || logs.kind === 'local-loki');
}

/**
 * The four services, pointed at the collector, Spotlight and their databases, with the run's
 * admin token (infra/dev/admin-token.ts) for `npm run fault`.
 */
export function serviceProcesses(
  databaseUrl: (database: string) => string,
  pins = readPins(),
  adminToken?: string,
): StackProcess[] {
  const otlp = local(pin(pins, 'OTELCOL_HTTP_PORT'), '');
  const sampling = samplingProfileName();
  const objectives = latencyObjectives();
  return SERVICES.map((service) => ({
    name: service.name,
    service: service.name,
    env: {
      ...serviceUrls(DEFAULT_PORTS),
      // Explicit, so a HOST in the caller's environment does not open the stack to the network.
      HOST: LOOPBACK,
      PORT: String(service.port),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      SENTRY_SPOTLIGHT: local(pin(pins, 'SPOTLIGHT_PORT'), '/stream'),
      // Exemplars only where the collector's sampling profile keeps the trace (trace-kept.ts).
      SIGHTLINE_SAMPLING: sampling,
      ...(objectives[service.name] !== undefined
        ? { SIGHTLINE_LATENCY_OBJECTIVE_SECONDS: String(objectives[service.name]) }
        : {}),
      ...(adminToken ? { ADMIN_TOKEN: adminToken } : {}),
      ...(service.database ? { DATABASE_URL: databaseUrl(service.database) } : {}),
      // As compose: the traffic service's and k6's synthetic-traffic marker is passed on.
      // Everything that reaches the native stack (the traffic service, the stack tests, the
      // benchmarks) comes from 127.0.0.1, one address to the per-address sign-up limit.
      ...(service.name === 'api-gateway'
        ? {
            BAGGAGE_ALLOWED_KEYS: process.env.BAGGAGE_ALLOWED_KEYS ?? 'user_agent.synthetic.type',
            SIGN_UP_RATE_LIMIT_MAX: process.env.SIGN_UP_RATE_LIMIT_MAX ?? '1000',
          }
        : {}),
    },
    health: local(service.port, '/health/ready'),
    ports: [service.port],
    ...(service.name === 'api-gateway' ? { url: local(service.port) } : {}),
  }));
}

/**
 * The traffic service (infra/traffic/main.ts), as compose runs it: customers at TRAFFIC_RATE
 * journeys a second (default 1) through the gateway, started once the services are healthy.
 * None with TRAFFIC_RATE=0. It listens on nothing, so it has no health check.
 */
export function trafficProcess():
  { name: string; command: string; args: string[]; env: NodeJS.ProcessEnv } | undefined {
  const rate = process.env.TRAFFIC_RATE?.trim() || '1';
  if (Number(rate) === 0) return undefined;
  return {
    name: 'traffic',
    command: process.execPath,
    args: [join(ROOT, 'infra/traffic/main.ts')],
    env: { TARGET_URL: local(DEFAULT_PORTS['api-gateway'], ''), TRAFFIC_RATE: rate },
  };
}
