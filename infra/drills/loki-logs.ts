/**
 * One request's log lines from Loki, for a drill's step 4 when a Loki answers: compose runs
 * one on :3100, and the native stack does when you bring your own (see infra/stack). The
 * question is the one a person types in Grafana's Explore:
 *
 *   {service_name=~".+"} | trace_id="<trace id>"
 *
 * Loki stores an OTLP log record's body as the line, `service.name` as the label
 * `service_name`, and the record's attributes, severity and ids as structured metadata,
 * with dots turned into underscores (`code.file.path` → `code_file_path`). Query answers
 * merge those into each stream's labels, which is where this reads them from.
 */
import { pin, readPins } from '../stack/pins.ts';
import type { LogLine } from '../stack/logs.ts';

/** Where Loki answers: LOKI_URL, else the port compose publishes (LOKI_PORT in .env). */
export function lokiUrl(): string {
  return process.env.LOKI_URL?.trim() || `http://127.0.0.1:${pin(readPins(), 'LOKI_PORT')}`;
}

export function traceQuery(traceId: string): string {
  if (!/^[0-9a-f]{32}$/.test(traceId)) throw new Error(`not a trace id: ${traceId}`);
  return `{service_name=~".+"} | trace_id="${traceId}"`;
}

/**
 * A service's fault audit lines (`fault <name> switched on`), for a saturation drill: which
 * fault went on, with which options, by whom. A line filter, as a person types it.
 */
export function auditQuery(service: string): string {
  if (!/^[a-z0-9-]+$/.test(service)) throw new Error(`not a service name: ${service}`);
  return `{service_name="${service}"} |= "switched on"`;
}

/** True when a Loki answers at `base` and says it is ready. */
export async function lokiAnswers(base = lokiUrl()): Promise<boolean> {
  try {
    const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

interface QueryRangeAnswer {
  data: { result: { stream: Record<string, string>; values: [string, string][] }[] };
}

/** The trace's log lines in Loki over the last `lookbackMs`, oldest first. */
export function lokiLinesOfTrace(
  traceId: string,
  options: { base?: string; lookbackMs?: number } = {},
): Promise<LogLine[]> {
  return lokiLines(traceQuery(traceId), options);
}

/** A LogQL query's lines in Loki over the last `lookbackMs`, oldest first. */
export async function lokiLines(
  query: string,
  { base = lokiUrl(), lookbackMs = 60 * 60_000 } = {},
): Promise<LogLine[]> {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const params = new URLSearchParams({
    query,
    start: String(nowNs - BigInt(lookbackMs) * 1_000_000n),
    end: String(nowNs),
    direction: 'forward',
    limit: '1000',
  });
  const response = await fetch(`${base}/loki/api/v1/query_range?${params.toString()}`);
  if (!response.ok)
    throw new Error(`Loki query_range: ${response.status} ${await response.text()}`);
  const { data } = (await response.json()) as QueryRangeAnswer;
  const lines = data.result.flatMap(({ stream, values }) =>
    values.map(([ns, line]) => ({
      time: new Date(Number(BigInt(ns) / 1_000_000n)).toISOString(),
      service: stream.service_name ?? '',
      level: stream.severity_text ?? stream.detected_level ?? '',
      msg: line,
      fields: stream,
      raw: line,
    })),
  );
  return lines.sort((a, b) => a.time.localeCompare(b.time));
}
