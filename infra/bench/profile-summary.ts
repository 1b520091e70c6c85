/**
 * Where a process spent its CPU, from a V8 CPU profile (`node --cpu-prof`, or
 * `BENCH_CPU_PROF=<dir> npm run bench:load`): time by package (self time: the code running
 * when the sample was taken), the busiest functions, and the time under the telemetry
 * pipeline's main entry points (inclusive: everything they called).
 *
 *   node infra/bench/profile-summary.ts <file.cpuprofile> [requests]
 *
 * With the number of requests the process served, figures are per request (µs); otherwise
 * they are shares of the busy time. Under CPU contention a sample can land on a system call
 * the process was descheduled in, so native frames weigh more than they cost.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** The telemetry pipeline's entry points, by function name and file. */
const ENTRY_POINTS: [string, RegExp][] = [
  ['spans: start (SDK Tracer.startSpan)', /^startSpan .*sdk-trace\/dist\/Tracer/],
  ['spans: end, batch and export (Span.end)', /^end .*sdk-trace\/dist\/Span/],
  ['spans: OTLP protobuf serialisation', /^serializeTraceExportRequest /],
  ['logs: pino line → OTel record (instrumentation-pino)', /^_write .*instrumentation-pino/],
  ['logs: OTLP protobuf serialisation', /^serializeLogsExportRequest /],
  ['context: event-emitter binding', /^_bindFunction |^_bindEventEmitter /],
  ['metrics: RED histogram with exemplar', /^requestMetrics |telemetry\/src\/metrics\.ts/],
];

const packageOf = (url: string): string => {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  if (url.includes('/packages/')) return `@sightline/${url.split('/packages/')[1]!.split('/')[0]}`;
  if (url.includes('/services/')) return `services/${url.split('/services/')[1]!.split('/')[0]}`;
  return url.startsWith('node:') ? 'node (built-in modules)' : '(native, GC)';
};
const frameName = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '')}:${frame.lineNumber}`;

function summarise(profile: Profile, requests?: number): string[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const underEntry = new Map<string, number>();
  let busy = 0;
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us);
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id)!;
    const us = profile.timeDeltas[i] ?? 0;
    if (node.callFrame.functionName === '(idle)') return;
    busy += us;
    add(byPackage, packageOf(node.callFrame.url), us);
    add(byFunction, frameName(node.callFrame), us);
    const entries = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(nodes.get(at)!.callFrame);
      for (const [label, pattern] of ENTRY_POINTS) if (pattern.test(name)) entries.add(label);
    }
    for (const label of entries) add(underEntry, label, us);
  });
  const figure = (us: number) =>
    requests ? `${(us / requests).toFixed(1)} µs/req` : `${((100 * us) / busy).toFixed(1)} %`;
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => `  ${figure(us).padStart(13)}  ${key}`);
  return [
    `busy: ${(busy / 1e6).toFixed(1)} s${requests ? `, ${figure(busy)}` : ''}`,
    'self time by package:',
    ...top(byPackage, 15),
    'busiest functions (self time):',
    ...top(byFunction, 15),
    'under the telemetry entry points (inclusive):',
    ...ENTRY_POINTS.map(
      ([label]) => `  ${figure(underEntry.get(label) ?? 0).padStart(13)}  ${label}`,
    ),
  ];
}

if (import.meta.main) {
  const [file, requests] = process.argv.slice(2);
  if (!file)
    throw new Error('usage: node infra/bench/profile-summary.ts <file.cpuprofile> [requests]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  console.log(summarise(profile, requests ? Number(requests) : undefined).join('\n'));
}
