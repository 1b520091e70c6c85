import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/**
 * A STAND-IN for Loki's OTLP endpoint (`/otlp/v1/logs`). Loki is AGPL-licensed and never
 * runs on our machines, so the stack tests point the real collector's `otlp_http/loki`
 * exporter here and assert on what it delivers: the very OTLP/HTTP request, protobuf and
 * gzip as the collector sends them, that Loki would receive. It keeps the records and serves
 * them as JSON at `GET /records` (optionally `?trace_id=`), and answers `GET /ready` and
 * `GET /metrics` (one gauge of its own) where Loki does. It is no Loki: it indexes nothing,
 * and of LogQL it answers the two queries the drills ask on `/loki/api/v1/query_range`, one
 * request's lines (`{service_name=~".+"} | trace_id="…"`) and one service's lines holding a
 * text (`{service_name="…"} |= "…"`, a saturation drill's fault audit line), shaped as Loki
 * answers them, so that the drills' Loki branch runs in the stack tests. Any other query
 * gets a 400 that says so.
 *
 * `npm run test:stack` starts it in its own process (LOKI_OTLP_ENDPOINT); the compose run
 * starts it as the image tagged grafana/loki (loki-image.ts).
 */

// The part of opentelemetry/proto/logs/v1 and common/v1 that a log export carries.
const OTLP_LOGS_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2;
  string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7; fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
`;

const ExportLogsServiceRequest = protobuf
  .parse(OTLP_LOGS_PROTO, { keepCase: false })
  .root.lookupType('otlp.ExportLogsServiceRequest');

/** One log record as Loki would store it, in plain JSON. */
export interface DeliveredLog {
  /** Nanoseconds since the epoch, as a decimal string. */
  timeUnixNano: string;
  resource: Record<string, unknown>;
  traceId: string;
  spanId: string;
  severityText: string;
  severityNumber: number;
  body: unknown;
  attributes: Record<string, unknown>;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface Decoded {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] };
    scopeLogs?: {
      logRecords?: {
        timeUnixNano?: string;
        observedTimeUnixNano?: string;
        severityNumber?: number;
        severityText?: string;
        body?: AnyValue;
        attributes?: KeyValue[];
        traceId?: string;
        spanId?: string;
      }[];
    }[];
  }[];
}

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

/** OTLP protobuf, as the collector's otlp_http exporter sends it; ids come out as hex. */
function decode(body: Buffer): Decoded {
  const message = ExportLogsServiceRequest.decode(body);
  const decoded = ExportLogsServiceRequest.toObject(message, {
    longs: String,
    bytes: String,
    defaults: false,
  });
  return withHexIds(decoded);
}

/** protobufjs gives bytes fields as base64 strings; OTLP/JSON and Loki use hex. */
function withHexIds(payload: Decoded): Decoded {
  const hex = (base64: string | undefined) =>
    base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('hex');
  for (const rl of payload.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const record of sl.logRecords ?? []) {
        record.traceId = hex(record.traceId);
        record.spanId = hex(record.spanId);
      }
  return payload;
}

function records(payload: Decoded): DeliveredLog[] {
  return (payload.resourceLogs ?? []).flatMap((rl) => {
    const resource = attributesOf(rl.resource?.attributes);
    return (rl.scopeLogs ?? []).flatMap((sl) =>
      (sl.logRecords ?? []).map((r) => ({
        timeUnixNano:
          r.timeUnixNano && r.timeUnixNano !== '0'
            ? r.timeUnixNano
            : (r.observedTimeUnixNano ?? String(BigInt(Date.now()) * 1_000_000n)),
        resource,
        traceId: r.traceId ?? '',
        spanId: r.spanId ?? '',
        severityText: r.severityText ?? '',
        severityNumber: r.severityNumber ?? 0,
        body: valueOf(r.body),
        attributes: attributesOf(r.attributes),
      })),
    );
  });
}

/** Far above a collector batch; a larger body, sent or unzipped, is refused. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip'
    ? gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES })
    : body;
}

/** Loki's label or metadata name for an OTLP attribute: anything but [a-zA-Z0-9_] becomes _. */
const lokiName = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, '_');

const flat = (attributes: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [
      lokiName(key),
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );

/**
 * A record as Loki's query API returns it: the body is the line; `service.name` is the
 * label `service_name`; the other resource attributes, the record's attributes, its
 * severity and ids are structured metadata, which query answers merge into the labels.
 */
function asLokiStream(record: DeliveredLog) {
  return {
    stream: {
      ...flat(record.resource),
      ...flat(record.attributes),
      trace_id: record.traceId,
      span_id: record.spanId,
      severity_text: record.severityText,
      service_name: flat(record.resource).service_name ?? 'unknown_service',
    },
    values: [
      [
        record.timeUnixNano,
        typeof record.body === 'string' ? record.body : JSON.stringify(record.body),
      ],
    ],
  };
}

const TRACE_QUERY = /^\{service_name=~"\.\+"\} \| trace_id="([0-9a-f]{32})"$/;
const LINE_QUERY = /^\{service_name="([a-z0-9-]+)"\} \|= "([^"\\]*)"$/;

/** The records a query the stand-in answers selects; undefined for any other query. */
function selected(query: string, kept: DeliveredLog[]): DeliveredLog[] | undefined {
  const traceId = TRACE_QUERY.exec(query)?.[1];
  if (traceId) return kept.filter((r) => r.traceId === traceId);
  const [, service, text] = LINE_QUERY.exec(query) ?? [];
  if (service === undefined || text === undefined) return undefined;
  return kept.filter(
    (r) =>
      r.resource['service.name'] === service &&
      (typeof r.body === 'string' ? r.body : JSON.stringify(r.body)).includes(text),
  );
}

/** The most records kept; older ones are dropped first, so a long run stays bounded. */
const MAX_RECORDS = 100_000;

export interface LokiStandIn {
  /** The base URL, as LOKI_OTLP_ENDPOINT: the collector appends /v1/logs. */
  otlpEndpoint: string;
  server: Server;
}

export async function startLokiStandIn(
  listen: { host: string; port: number } = { host: '127.0.0.1', port: 0 },
): Promise<LokiStandIn> {
  const kept: DeliveredLog[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (request.method === 'POST' && url.pathname === '/otlp/v1/logs') {
      readBody(request)
        .then((body) => {
          kept.push(...records(decode(body)));
          kept.splice(0, Math.max(0, kept.length - MAX_RECORDS));
          // An empty ExportLogsServiceResponse: full success.
          response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        })
        .catch((error: Error) => response.writeHead(400).end(error.message));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/metrics') {
      // Loki is scraped by Prometheus (job `loki`); the stand-in has one metric of its own.
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(
        '# HELP loki_stand_in_records_kept Log records the Loki stand-in holds.\n' +
          `# TYPE loki_stand_in_records_kept gauge\nloki_stand_in_records_kept ${kept.length}\n`,
      );
      return;
    }
    if (request.method === 'GET' && url.pathname === '/ready') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ready\n');
      return;
    }
    if (request.method === 'GET' && url.pathname === '/loki/api/v1/query_range') {
      const query = url.searchParams.get('query') ?? '';
      const records = selected(query, kept);
      if (!records) {
        response
          .writeHead(400, { 'content-type': 'text/plain' })
          .end(
            `the Loki stand-in answers only {service_name=~".+"} | trace_id="<id>" and {service_name="<service>"} |= "<text>", not ${query}`,
          );
        return;
      }
      const result = records.map(asLokiStream);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', data: { resultType: 'streams', result } }));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/records') {
      const traceId = url.searchParams.get('trace_id');
      const body = traceId ? kept.filter((r) => r.traceId === traceId) : kept;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(listen.port, listen.host, resolve));
  const { port } = server.address() as AddressInfo;
  return { otlpEndpoint: `http://127.0.0.1:${port}/otlp`, server };
}
