import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A test OTLP/HTTP receiver (JSON encoding, `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`): it keeps
 * what the services export so a test can assert on it. It stands in for the collector in
 * `npm test`; `npm run test:stack` uses the real one.
 */

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client (OTLP's SpanKind). */
  kind: number;
  attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  events: { name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
  durationMs: number;
}

export interface ReceivedLog {
  service: string;
  traceId: string;
  spanId: string;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
}

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let body = Buffer.concat(chunks);
  if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
  return JSON.parse(body.toString('utf8'));
}

interface ResourceEnvelope {
  resource?: { attributes?: KeyValue[] };
}
interface TracesRequest {
  resourceSpans?: (ResourceEnvelope & {
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: KeyValue[];
        status?: { code?: number };
        events?: { name: string; attributes?: KeyValue[] }[];
        links?: { traceId: string; spanId: string }[];
        startTimeUnixNano?: string | number;
        endTimeUnixNano?: string | number;
      }[];
    }[];
  })[];
}
interface LogsRequest {
  resourceLogs?: (ResourceEnvelope & {
    scopeLogs?: {
      logRecords?: {
        traceId?: string;
        spanId?: string;
        severityText?: string;
        body?: AnyValue;
        attributes?: KeyValue[];
      }[];
    }[];
  })[];
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  logs: ReceivedLog[];
  /** Every resource attribute key any export carried, traces and logs alike. */
  resourceKeys: Set<string>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const logs: ReceivedLog[] = [];
  const resourceKeys = new Set<string>();
  const server = createServer((request, response) => {
    readJson(request)
      .then((payload) => {
        const envelopes = payload as { resourceSpans?: unknown[]; resourceLogs?: unknown[] };
        for (const envelope of [
          ...(envelopes.resourceSpans ?? []),
          ...(envelopes.resourceLogs ?? []),
        ])
          for (const { key } of (envelope as ResourceEnvelope).resource?.attributes ?? [])
            resourceKeys.add(key);
        if (request.url === '/v1/traces') collectSpans(payload as TracesRequest, spans);
        else if (request.url === '/v1/logs') collectLogs(payload as LogsRequest, logs);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      })
      .catch(() => response.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    logs,
    resourceKeys,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function serviceOf(envelope: ResourceEnvelope): string {
  return String(attributesOf(envelope.resource?.attributes)['service.name']);
}

function collectSpans(payload: TracesRequest, into: ReceivedSpan[]): void {
  for (const resourceSpans of payload.resourceSpans ?? []) {
    const service = serviceOf(resourceSpans);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        into.push({
          service,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          name: span.name,
          kind: span.kind,
          attributes: attributesOf(span.attributes),
          statusCode: span.status?.code ?? 0,
          events: (span.events ?? []).map((e) => ({
            name: e.name,
            attributes: attributesOf(e.attributes),
          })),
          links: (span.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          durationMs:
            Number(BigInt(span.endTimeUnixNano ?? 0) - BigInt(span.startTimeUnixNano ?? 0)) / 1e6,
        });
      }
    }
  }
}

function collectLogs(payload: LogsRequest, into: ReceivedLog[]): void {
  for (const resourceLogs of payload.resourceLogs ?? []) {
    const service = serviceOf(resourceLogs);
    for (const scope of resourceLogs.scopeLogs ?? []) {
      for (const record of scope.logRecords ?? []) {
        into.push({
          service,
          traceId: record.traceId ?? '',
          spanId: record.spanId ?? '',
          severityText: record.severityText ?? '',
          body: valueOf(record.body),
          attributes: attributesOf(record.attributes),
        });
      }
    }
  }
}
