import type { AnyValue, Logger, LoggerProvider } from '@opentelemetry/api';

type LogAttributes = Record<string, AnyValue>;

/**
 * Log lines are written once, by pino, and go two ways: as JSON to stdout, shaped for people
 * (`req.method`, `duration_ms`, `code.filepath`), and as OTLP log records, whose attributes must
 * be OpenTelemetry semantic-convention names (`http.request.method`, `code.file.path`) or our
 * own `sightline.*` names declared in telemetry/registry. This table is the one place a stdout
 * field becomes an OTLP attribute; both carry the same facts. A field not listed here keeps its
 * name, and the drift test fails if that name is neither a convention nor declared. Business
 * facts (`order_id`…) take the same names on spans (business-facts.ts).
 */
export const OTLP_NAMES: Record<string, string | undefined> = {
  route: 'http.route',
  request_id: 'sightline.request.id',
  duration_ms: 'sightline.request.duration_ms',
  'error.message': 'exception.message',
  'error.stack': 'exception.stacktrace',
  'code.filepath': 'code.file.path',
  'code.lineno': 'code.line.number',
  'code.function': 'code.function.name',
  address: 'server.address',
  port: 'server.port',
  reason: 'sightline.shutdown.reason',
  readiness_delay_ms: 'sightline.shutdown.readiness_delay_ms',
  migrations: 'sightline.db.migrations',
  fault: 'sightline.fault.name',
  fault_action: 'sightline.fault.action',
  fault_options: 'sightline.fault.options',
  fault_until: 'sightline.fault.until',
  admin_token_name: 'sightline.admin.token.name',
  order_id: 'sightline.order.id',
  skus: 'sightline.order.skus',
  payment_id: 'sightline.payment.id',
  customer_ref: 'sightline.customer.ref',
  order_status: 'sightline.order.status',
  decline_reason: 'sightline.payment.decline_reason',
  'error.context': 'sightline.error.context',
  // Already on the resource of every record; repeating it per record says nothing new.
  'service.name': undefined,
};

/** Nested values stay readable as one JSON string rather than an OTLP map nobody queries. */
function flat(value: unknown): AnyValue {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return JSON.stringify(value);
  }
  return value;
}

/** pino-http's `req` and `res` objects, as the HTTP attributes the conventions name. */
function httpAttributes(req: unknown, res: unknown): LogAttributes {
  const attributes: LogAttributes = {};
  if (req !== null && typeof req === 'object') {
    const { method, url } = req as { method?: string; url?: string };
    if (method !== undefined) attributes['http.request.method'] = method;
    if (url !== undefined) {
      const [path, query] = url.split('?', 2);
      attributes['url.path'] = path;
      if (query) attributes['url.query'] = query;
    }
  }
  if (res !== null && typeof res === 'object') {
    const { status_code: status } = res as { status_code?: number };
    if (status !== undefined) attributes['http.response.status_code'] = status;
  }
  return attributes;
}

/** A stdout-shaped pino record's fields, as OTLP log attributes. */
export function conventionalLogAttributes(fields: Record<string, unknown> = {}): LogAttributes {
  const { req, res, ...rest } = fields;
  const attributes = httpAttributes(req, res);
  for (const [key, value] of Object.entries(rest)) {
    // The record's EventName, not an attribute (see conventionalLoggerProvider).
    if (key === 'event') continue;
    const name = key in OTLP_NAMES ? OTLP_NAMES[key] : key;
    if (name !== undefined) attributes[name] = flat(value);
  }
  if (typeof rest['error.type'] === 'string') attributes['exception.type'] = rest['error.type'];
  return attributes;
}

/** The pino instrumentation's logger: the one whose records come from stdout-shaped lines. */
const PINO_SCOPE = '@opentelemetry/instrumentation-pino';

/**
 * A business event line's `event` field (`sightline.order.placed`) names the record's kind. The
 * conventions put that in the record's EventName (the `event.name` attribute is deprecated),
 * and the registry declares each event under that name (telemetry/registry/log-records.yaml).
 */
function eventNameOf(fields: Record<string, unknown> = {}): { eventName?: string } {
  return typeof fields.event === 'string' ? { eventName: fields.event } : {};
}

/**
 * Wraps the SDK's logger provider so that records sent by the pino instrumentation carry
 * convention names, and business events their EventName; every other logger is the SDK's own.
 */
export function conventionalLoggerProvider(provider: LoggerProvider): LoggerProvider {
  return {
    getLogger(name, version, options): Logger {
      const logger = provider.getLogger(name, version, options);
      if (name !== PINO_SCOPE) return logger;
      return {
        emit: (record) =>
          logger.emit({
            ...record,
            ...eventNameOf(record.attributes),
            attributes: conventionalLogAttributes(record.attributes),
          }),
        enabled: (enabledOptions) => logger.enabled(enabledOptions),
      };
    },
  };
}
