/**
 * One measurement of `npm run bench:sdk` (sdk-cost.ts), in its own process, started with the
 * kit's bootstrap (`node --import @sightline/telemetry/register`) so the SDK is configured
 * exactly as a service's is: OTLP over HTTP (protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT, batch
 * processors, every span sampled. `OTEL_SDK_DISABLED=true` gives the same code with no SDK.
 *
 * It makes COUNT items of one kind and reports, over IPC, the CPU this process used for them,
 * from the first item until the SDK has exported the last one and shut down:
 *   span     one span with the attributes of an HTTP server span, started and ended;
 *   log      one access line through the kit's logger (pino to stdout, and an OTLP record);
 *   request  what one catalog request records across the gateway and order-service: their
 *            server spans, the gateway's client span, the pg span and two access lines, each
 *            line written inside its server span, as the services write them.
 */
import { SpanKind, trace } from '@opentelemetry/api';
// stopTracing is the kit's own shutdown, which services call as they stop: it flushes both
// batch processors.
import { logger, stopTracing } from '@sightline/telemetry';

type Kind = 'span' | 'log' | 'request';

const kind = process.argv[2] as Kind;
const count = Number(process.argv[3] ?? 20_000);
const WARM_UP = 2_000;

/** The attributes the instrumentations write on a catalog request's spans (read from Jaeger). */
const SERVER_SPAN = {
  'http.request.method': 'GET',
  'url.path': '/api/products',
  'url.scheme': 'http',
  'server.address': '127.0.0.1',
  'server.port': 8002,
  'client.address': '::ffff:127.0.0.1',
  'network.peer.address': '::ffff:127.0.0.1',
  'network.peer.port': 46632,
  'network.protocol.version': '1.1',
  'user_agent.original': 'axios/1.21.1',
  'http.route': '/api/products',
  'http.response.status_code': 200,
};
const CLIENT_SPAN = {
  'http.request.method': 'GET',
  'url.full': 'http://127.0.0.1:8002/api/products',
  'server.address': '127.0.0.1',
  'server.port': 8002,
  'network.peer.address': '127.0.0.1',
  'network.peer.port': 8002,
  'network.protocol.version': '1.1',
  'http.response.status_code': 200,
};
const PG_SPAN = {
  'db.system.name': 'postgresql',
  'db.namespace': 'orders',
  'db.query.text': 'select sku, name, price_cents, currency from products order by sku',
  'server.address': '127.0.0.1',
  'server.port': 54339,
};

const tracer = trace.getTracer('bench-sdk-cost');

function serverSpan(inside: () => void): void {
  tracer.startActiveSpan(
    'GET /api/products',
    { kind: SpanKind.SERVER, attributes: SERVER_SPAN },
    (span) => {
      inside();
      span.end();
    },
  );
}

function accessLine(): void {
  logger.info(
    {
      req: { method: 'GET', url: '/api/products' },
      res: { status_code: 200 },
      duration_ms: 3,
      route: '/api/products',
    },
    'GET /api/products 200',
  );
}

const make: Record<Kind, () => void> = {
  span: () => serverSpan(() => {}),
  log: accessLine,
  request: () =>
    serverSpan(() => {
      tracer.startActiveSpan(
        'GET',
        { kind: SpanKind.CLIENT, attributes: CLIENT_SPAN },
        (client) => {
          serverSpan(() => {
            tracer
              .startSpan('pg.query:SELECT orders', { kind: SpanKind.CLIENT, attributes: PG_SPAN })
              .end();
            accessLine();
          });
          client.end();
        },
      );
      accessLine();
    }),
};

/** Items are made in slices, yielding between them as a busy server does, so exports run. */
async function makeItems(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    make[kind]();
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
}

await makeItems(WARM_UP);
const started = process.cpuUsage();
await makeItems(count);
await stopTracing();
const used = process.cpuUsage(started);
process.send?.({ kind, microsPerItem: (used.user + used.system) / count });
process.disconnect?.();
