/**
 * The steps of a drill, each a question a person on call asks and the API that answers it
 * on the native stack: Alertmanager, Prometheus (the alert's series and its exemplars),
 * Jaeger, Loki or the services' log files, and the repository itself.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ownerOf } from '../../faults/catalog.ts';
import { adminBaseUrl, adminToken } from '../faults/admin-access.ts';
import type { ServiceSpec } from '../dev/services.ts';
import { linesOfTrace, type LogLine } from '../stack/logs.ts';
import { pin, readPins, ROOT } from '../stack/pins.ts';
import { LOG_DIR } from '../stack/processes.ts';
import type { Drill } from './drills.ts';
import {
  auditQuery,
  lokiAnswers,
  lokiLines,
  lokiLinesOfTrace,
  lokiUrl,
  traceQuery,
} from './loki-logs.ts';

const pins = readPins();
const at = (key: string) => `http://127.0.0.1:${pin(pins, key)}`;
const PROMETHEUS = at('PROMETHEUS_PORT');
const ALERTMANAGER = at('ALERTMANAGER_PORT');
const JAEGER = at('JAEGER_UI_PORT');

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Polls `probe` every second until it returns something, or throws after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up after ${ms / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// Step 0: the fault, through the owning service's admin API and this run's token.

async function admin(drill: Drill, method: 'PUT' | 'DELETE'): Promise<void> {
  const service = ownerOf(drill.fault) as ServiceSpec['name'];
  const token = adminToken();
  const response = await fetch(`${adminBaseUrl(service)}/admin/faults/${drill.fault}`, {
    method,
    headers: { authorization: `Bearer ${token.value}`, 'content-type': 'application/json' },
    body: method === 'PUT' ? JSON.stringify({ ...drill.options, for: '15m' }) : undefined,
  });
  if (response.status === 401)
    throw new Error(`${service} refused the admin token from ${token.from} (401)`);
  if (!response.ok) throw new Error(`${method} ${drill.fault}: ${response.status}`);
}
export const switchOn = (drill: Drill) => admin(drill, 'PUT');
export const switchOff = (drill: Drill) => admin(drill, 'DELETE');

// Step 1: the page. Which alert, about whom?

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

export async function firingAlert(drill: Drill): Promise<Alert | undefined> {
  const filter = new URLSearchParams({ filter: `alertname="${drill.alert.name}"`, active: 'true' });
  const alerts = await getJson<(Alert & { status: { state: string } })[]>(
    `${ALERTMANAGER}/api/v2/alerts?${filter.toString()}`,
  );
  return alerts.find(
    (alert) =>
      alert.status.state === 'active' &&
      Object.entries(drill.alert.labels).every(([key, value]) => alert.labels[key] === value),
  );
}

/** The drill's alert rule as Prometheus evaluates it now, and the drill's instance of it. */
export interface RuleState {
  /** Its `for:`, in seconds, as loaded (classroom mode or shipped). */
  forSeconds: number;
  /** The longest range in its expression (`[5m]`), in seconds: how long a change takes to show. */
  windowSeconds: number;
  /** The drill's instance: inactive (condition false), pending (true, waiting out `for:`), firing. */
  state: 'inactive' | 'pending' | 'firing';
  /** Since when the condition has held (pending or firing). */
  activeAt?: Date;
  /** The expression's value for the instance, when it holds. */
  value?: string;
  query: string;
}

const RANGE_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

export async function ruleState(drill: Drill): Promise<RuleState> {
  const { data } = await getJson<{
    data: {
      groups: {
        rules: {
          name: string;
          query: string;
          duration: number;
          alerts: {
            labels: Record<string, string>;
            state: 'pending' | 'firing';
            activeAt: string;
            value: string;
          }[];
        }[];
      }[];
    };
  }>(`${PROMETHEUS}/api/v1/rules?type=alert`);
  const rule = data.groups.flatMap((g) => g.rules).find((r) => r.name === drill.alert.name);
  if (!rule) throw new Error(`Prometheus has no alert rule ${drill.alert.name}`);
  const ranges = [...rule.query.matchAll(/\[(\d+)([smhd])\]/g)].map(
    ([, n, unit]) => Number(n) * RANGE_SECONDS[unit as keyof typeof RANGE_SECONDS],
  );
  const instance = rule.alerts.find((alert) =>
    Object.entries(drill.alert.labels).every(([key, value]) => alert.labels[key] === value),
  );
  return {
    forSeconds: rule.duration,
    windowSeconds: Math.max(0, ...ranges),
    state: instance?.state ?? 'inactive',
    activeAt: instance ? new Date(instance.activeAt) : undefined,
    value: instance?.value,
    query: rule.query,
  };
}

/** The alert's own series in Prometheus: ALERTS{alertname, its labels}, firing. */
export async function alertingSeries(drill: Drill): Promise<string> {
  const labels = Object.entries({ alertname: drill.alert.name, ...drill.alert.labels })
    .map(([key, value]) => `${key}="${value}"`)
    .join(', ');
  const query = `ALERTS{${labels}, alertstate="firing"}`;
  const { data } = await getJson<{ data: { result: unknown[] } }>(
    `${PROMETHEUS}/api/v1/query?${new URLSearchParams({ query }).toString()}`,
  );
  if (data.result.length === 0) throw new Error(`Prometheus has no ${query}`);
  return query;
}

// Step 2: metrics → traces. Which request, exactly? An exemplar on the alert's histogram.

export interface Exemplar {
  traceId: string;
  seconds: number;
  series: Record<string, string>;
}

/** An exemplar recorded since `since` (ms), while the fault was on. */
export async function exemplar(drill: Drill, since: number): Promise<Exemplar | undefined> {
  const { metric, selector, pick } = drill.exemplars;
  // A saturation drill's gauge carries none: its thread is followSaturation's.
  if (pick === 'none') return undefined;
  const params = new URLSearchParams({
    query: `${metric}{${selector}}`,
    start: String(since / 1000),
    end: String(Date.now() / 1000),
  });
  const { data } = await getJson<{
    data: {
      seriesLabels: Record<string, string>;
      exemplars: { labels: Record<string, string>; value: string }[];
    }[];
  }>(`${PROMETHEUS}/api/v1/query_exemplars?${params.toString()}`);
  const all = data.flatMap((series) =>
    series.exemplars
      .filter((e) => e.labels.trace_id)
      .map((e) => ({
        traceId: e.labels.trace_id as string,
        seconds: Number(e.value),
        series: series.seriesLabels,
      })),
  );
  // A failing request's: the newest. A slow request's: the slowest.
  const chosen = pick === 'slow' ? all.sort((a, b) => b.seconds - a.seconds)[0] : all.at(-1);
  return pick === 'slow' && chosen && chosen.seconds < 0.5 ? undefined : chosen;
}

// Step 3: the trace. Where did it fail, or where did the time go?

export interface Span {
  id: string;
  service: string;
  name: string;
  micros: number;
  /** Its duration less its children's: the time it spent itself. */
  ownMicros: number;
  error: boolean;
  tags: Record<string, unknown>;
  /**
   * The feature flags evaluated `on` in it: its `feature_flag.evaluation` events (Jaeger
   * shows them as logs), the trace's record of which fault shaped it.
   */
  flags?: string[];
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  duration: number;
  references?: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  logs?: { fields: { key: string; value: unknown }[] }[];
}

/** The keys of the flags a span's `feature_flag.evaluation` events name. */
function flagsOf(span: JaegerSpan): string[] {
  return (span.logs ?? []).flatMap(({ fields }) => {
    const field = (key: string) => fields.find((f) => f.key === key)?.value;
    const key = field('feature_flag.key');
    return field('event') === 'feature_flag.evaluation' && typeof key === 'string' ? [key] : [];
  });
}

export async function trace(traceId: string): Promise<Span[] | undefined> {
  const response = await fetch(`${JAEGER}/api/traces/${traceId}`);
  if (!response.ok) return undefined;
  const { data } = (await response.json()) as {
    data?: { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }[];
  };
  const found = data?.[0];
  if (!found) return undefined;
  const childMicros = new Map<string, number>();
  for (const span of found.spans) {
    const parent = span.references?.find((r) => r.refType === 'CHILD_OF')?.spanID;
    if (parent) childMicros.set(parent, (childMicros.get(parent) ?? 0) + span.duration);
  }
  return found.spans.map((span) => {
    const tags = Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
    return {
      id: span.spanID,
      service: found.processes[span.processID]?.serviceName ?? '',
      name: span.operationName,
      micros: span.duration,
      ownMicros: span.duration - (childMicros.get(span.spanID) ?? 0),
      error: tags['otel.status_code'] === 'ERROR' || tags.error === true,
      tags,
      flags: flagsOf(span),
    };
  });
}

/** The span the drill is about: the innermost ERROR span, or the one that spent the most time itself. */
export function culprit(drill: Drill, spans: Span[]): Span | undefined {
  const own = spans.filter((span) => span.service === drill.service);
  if (drill.exemplars.pick === 'error') {
    return own.filter((span) => span.error).sort((a, b) => a.micros - b.micros)[0];
  }
  // A flag's evaluation marks the span whose own code took the time (the server span, when
  // the service opens none of its own): the one of those that spent the most itself.
  const clue = drill.clue;
  if (clue && 'flagEvent' in clue) {
    return own
      .filter((span) => (span.flags ?? []).length > 0 && span.tags['span.kind'] !== 'client')
      .sort((a, b) => b.ownMicros - a.ownMicros)[0];
  }
  // Only spans that can hold the clue: ones carrying its attribute (a statement), or the
  // service's own code spans (internal). A blocked event loop also stretches the calls it
  // makes meanwhile, so a client span's time is not its own.
  const candidates = own.filter((span) =>
    clue && 'inAttribute' in clue
      ? span.tags[clue.inAttribute] !== undefined
      : span.tags['span.kind'] !== 'server' && span.tags['span.kind'] !== 'client',
  );
  return candidates.sort((a, b) => b.ownMicros - a.ownMicros)[0];
}

// Step 4: the logs of that one request: from Loki when one answers, else (the native stack
// without a Loki of your own) from the services' log files, as `npm run stack:logs` reads them.

export interface TraceLogs {
  source: 'loki' | 'log files';
  /** What a person types to see the same lines. */
  how: string;
  lines: LogLine[];
}

export async function logsOf(traceId: string): Promise<TraceLogs> {
  if (await lokiAnswers()) {
    return {
      source: 'loki',
      how: `Loki at ${lokiUrl()}: ${traceQuery(traceId)}`,
      lines: await lokiLinesOfTrace(traceId),
    };
  }
  return {
    source: 'log files',
    how: `npm run stack:logs -- ${traceId}`,
    lines: linesOfTrace(traceId),
  };
}

// Step 5: the code. Which line?

export interface CodeLine {
  file: string;
  line: number;
  text: string;
  /** How the thread got here. */
  via: string;
}

function sourceLine(file: string, line: number, via: string): CodeLine {
  const text = readFileSync(join(ROOT, file), 'utf8').split('\n')[line - 1] ?? '';
  return { file, line, text: text.trim(), via };
}

/**
 * Where a log line says it was written: `code.filepath`/`code.lineno` in the services' own
 * JSON lines, `code_file_path`/`code_line_number` once Loki has stored the OTLP record.
 */
function codeLocation(line: LogLine): { path: string; line: number } | undefined {
  const path = line.fields['code.filepath'] ?? line.fields.code_file_path;
  const number = line.fields['code.lineno'] ?? line.fields.code_line_number;
  return typeof path === 'string' && path ? { path, line: Number(number) } : undefined;
}

/**
 * The repository path of a service's source file, wherever the service ran: here under this
 * checkout, in a container under the image's working directory.
 */
export function repositoryPath(path: string): string {
  const inService = /^.*\/(services\/[a-z0-9-]+\/src\/.+)$/.exec(path);
  return inService?.[1] ?? relative(ROOT, path);
}

/** An error log's code location, as the service recorded it. */
export function codeOfErrorLog(drill: Drill, lines: LogLine[]): CodeLine | undefined {
  const log = lines.find(
    (l) => l.service === drill.service && l.level === 'error' && codeLocation(l),
  );
  const where = log && codeLocation(log);
  if (!log || !where) return undefined;
  return sourceLine(repositoryPath(where.path), where.line, `error log "${log.msg}"`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/**
 * A slow span logs no error, so its clue is searched for in the service's code: the word its
 * statement holds (found where the code writes it), or its name (where the code opens it,
 * then the first fault point inside).
 */
export function codeOfSlowSpan(drill: Drill, span: Span): CodeLine | undefined {
  const clue = drill.clue;
  if (!clue) return undefined;
  if ('flagEvent' in clue) {
    for (const flag of span.flags ?? []) {
      const code = codeReadingFlag(drill.service, flag);
      if (code) return { ...code, via: `span "${span.name}" evaluated flag ${flag}; ${code.via}` };
    }
    return undefined;
  }
  const word = 'word' in clue ? clue.word : `'${span.name}'`;
  if ('word' in clue && !JSON.stringify(span.tags[clue.inAttribute] ?? '').includes(clue.word)) {
    return undefined;
  }
  for (const file of sourceFiles(`services/${drill.service}/src`)) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const code = (text: string) => !/^\s*(\*|\/\/|\/\*)/.test(text);
    const at = lines.findIndex((text) => code(text) && text.includes(word));
    if (at < 0) continue;
    if ('word' in clue) return sourceLine(file, at + 1, `${clue.inAttribute} holds ${word}`);
    const inside = lines.slice(at, at + 12).findIndex((text) => /\bfaults\.\w+\(/.test(text));
    if (inside >= 0) return sourceLine(file, at + inside + 1, `span ${word} opens here`);
  }
  return undefined;
}

/**
 * Where a service's code reads a feature flag (a fault): the fault point, a non-comment line
 * calling `faults.…('<flag>')`.
 */
export function codeReadingFlag(service: string, flag: string): CodeLine | undefined {
  for (const file of sourceFiles(`services/${service}/src`)) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const at = lines.findIndex(
      (text) =>
        !/^\s*(\*|\/\/|\/\*)/.test(text) && text.includes(`faults.`) && text.includes(`('${flag}'`),
    );
    if (at >= 0) return sourceLine(file, at + 1, `${service} reads ${flag} here`);
  }
  return undefined;
}

// A saturation alert's thread. Its gauge has no exemplar and no single request caused it, so
// the questions are: what grew, what changed when it began to grow, who changed it, and which
// line does that change reach? Alert → the resource's series → fault_active (which fault
// went on, and when) → that fault's audit line in the service's logs → the line that reads it.

export interface SaturationThread {
  /** The drill's gauge when the fault went on, and now. */
  growth: { query: string; before: number; now: number };
  /** What changed: the fault fault_active shows on in the service, and since when. */
  change: { query: string; fault: string; since: string };
  /** The fault's audit line: who switched it on, with which options. */
  audit: { source: TraceLogs['source']; how: string; line: LogLine };
}

async function instant(
  query: string,
  at?: number,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const params = new URLSearchParams({ query, ...(at ? { time: String(at / 1000) } : {}) });
  const { data } = await getJson<{
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  }>(`${PROMETHEUS}/api/v1/query?${params.toString()}`);
  return data.result;
}

/** The drill's gauge (summed over instances) when the fault went on (`since`, ms) and now. */
export async function resourceGrowth(
  drill: Drill,
  since: number,
): Promise<SaturationThread['growth'] | undefined> {
  const query = `sum(${drill.exemplars.metric}{${drill.exemplars.selector}})`;
  const [now] = await instant(query);
  if (!now) return undefined;
  // Its value when the fault went on; on a stack started just before, its first scrape after.
  const [atStart] = await instant(query, since);
  const before = atStart ? Number(atStart.value[1]) : await firstSample(query, since);
  if (before === undefined) return undefined;
  return { query, before, now: Number(now.value[1]) };
}

/** The first sample of `query` from `since` (ms) on. */
async function firstSample(query: string, since: number): Promise<number | undefined> {
  const params = new URLSearchParams({
    query,
    start: String(since / 1000),
    end: String(Date.now() / 1000),
    step: '5',
  });
  const { data } = await getJson<{ data: { result: { values: [number, string][] }[] } }>(
    `${PROMETHEUS}/api/v1/query_range?${params.toString()}`,
  );
  const first = data.result[0]?.values[0];
  return first ? Number(first[1]) : undefined;
}

/** The fault fault_active shows on in the drill's service, and the first sample it was on. */
export async function faultSwitchedOn(
  drill: Drill,
  since: number,
): Promise<SaturationThread['change'] | undefined> {
  const query = `fault_active{service_name="${drill.service}"} == 1`;
  const params = new URLSearchParams({
    query,
    start: String((since - 60_000) / 1000),
    end: String(Date.now() / 1000),
    step: '5',
  });
  const { data } = await getJson<{
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  }>(`${PROMETHEUS}/api/v1/query_range?${params.toString()}`);
  const [first] = data.result
    .map((series) => ({ fault: series.metric.fault ?? '', at: series.values[0]?.[0] ?? 0 }))
    .filter((on) => on.fault)
    .sort((a, b) => b.at - a.at);
  if (!first) return undefined;
  return { query, fault: first.fault, since: new Date(first.at * 1000).toISOString() };
}

/** The fault a log line is the audit of, as stdout (`fault`) or Loki (`sightline_fault_name`) names it. */
function auditOf(line: LogLine): { fault: unknown; action: unknown } {
  return {
    fault: line.fields.fault ?? line.fields.sightline_fault_name,
    action: line.fields.fault_action ?? line.fields.sightline_fault_action,
  };
}

/** The service's log lines from its log file (the native stack's), oldest first. */
function serviceLogLines(service: string): LogLine[] {
  const file = join(LOG_DIR, `${service}.log`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((raw) => raw.includes('fault_action'))
    .flatMap((raw) => {
      try {
        const fields = JSON.parse(raw) as Record<string, unknown>;
        const text = (value: unknown) => (typeof value === 'string' ? value : '');
        return [
          {
            time: String(fields.time),
            service,
            level: text(fields.level),
            msg: text(fields.msg),
            fields,
            raw,
          },
        ];
      } catch {
        return [];
      }
    });
}

/** The newest line saying `fault` was switched on in the drill's service: Loki's, or the log file's. */
export async function auditLine(
  drill: Drill,
  fault: string,
): Promise<SaturationThread['audit'] | undefined> {
  const switchedOn = (line: LogLine) => {
    const audit = auditOf(line);
    return audit.fault === fault && audit.action === 'on';
  };
  if (await lokiAnswers()) {
    const query = auditQuery(drill.service);
    const line = (await lokiLines(query)).filter(switchedOn).at(-1);
    return line && { source: 'loki', how: `Loki at ${lokiUrl()}: ${query}`, line };
  }
  const line = serviceLogLines(drill.service).filter(switchedOn).at(-1);
  return (
    line && {
      source: 'log files',
      how: `grep '"fault_action":"on"' ${relative(ROOT, join(LOG_DIR, `${drill.service}.log`))}`,
      line,
    }
  );
}

/** The line the fault reaches: where the service's code reads it. */
export function codeOfFault(
  drill: Drill,
  change: SaturationThread['change'],
): CodeLine | undefined {
  const code = codeReadingFlag(drill.service, change.fault);
  return code && { ...code, via: `fault_active{fault="${change.fault}"}; ${code.via}` };
}

/** A gauge's value as a person reads it: bytes in MiB, anything else as it is. */
function reading(metric: string, value: number): string {
  return metric.endsWith('_bytes') ? `${(value / 2 ** 20).toFixed(1)} MiB` : String(value);
}

/**
 * A saturation drill's steps 2 to 4, said as they are found (step 2's alerting series and
 * step 5's code, codeOfFault, are the caller's): how much the drill's gauge grew since the
 * fault went on, which fault fault_active shows on, and that fault's audit line.
 */
export async function followSaturation(
  drill: Drill,
  since: number,
  say: (line: string) => void,
): Promise<SaturationThread> {
  const { metric } = drill.exemplars;
  const growth = await until(
    `${metric} of ${drill.service}`,
    () => resourceGrowth(drill, since),
    60_000,
  );
  say(
    `   ${growth.query}: ${reading(metric, growth.before)} when the fault went on, ${reading(metric, growth.now)} now (a gauge: no exemplar, no one request to blame)`,
  );
  const change = await until(
    `fault_active of ${drill.service} to show a fault on`,
    () => faultSwitchedOn(drill, since),
    60_000,
  );
  say(`3. what changed as it grew: ${change.query} → ${change.fault}, on since ${change.since}`);
  const audit = await until(
    `the audit line of ${change.fault} in ${drill.service}'s logs`,
    () => auditLine(drill, change.fault),
    30_000,
  );
  const { fields } = audit.line;
  const options = fields.fault_options ?? fields.sightline_fault_options;
  const by = fields.admin_token_name ?? fields.sightline_admin_token_name;
  say(`4. its audit line, from ${audit.how}:`);
  say(
    `   ${audit.line.service.padEnd(16)} ${audit.line.level.padEnd(5)} ${audit.line.msg} ${typeof options === 'string' ? options : JSON.stringify(options)} by ${String(by)}`,
  );
  return { growth, change, audit };
}
