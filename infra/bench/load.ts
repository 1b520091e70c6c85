/**
 * `npm run bench:load`: what telemetry costs under load, and where the system breaks.
 *
 * The native stack is started twice, with telemetry off (`OTEL_SDK_DISABLED=true`) and on
 * (OTLP to the stack's real collector, which feeds Jaeger and Prometheus; every trace sampled,
 * info logs), and in each the same load is sent through the gateway with autocannon:
 *   - the catalog path: `GET /api/products`, 16 connections;
 *   - the order path: `POST /api/orders` (each with its own Idempotency-Key), 32 connections,
 *     with the simulated card provider answering in ~5 ms so it does not hide CPU cost.
 * It prints requests/s, p50/p99 latency and each service's resident memory after the load,
 * and the on/off ratio. On the catalog path it then sends a fixed rate (BENCH_FIXED_RATE,
 * default 400 requests/s, which both modes keep up with) and prints each process's CPU time
 * per request: where telemetry's cost lands, without the queueing of a saturated run.
 * Then, telemetry on, a breakpoint search: the k6 journey (journey-load.ts) at rising arrival
 * rates until an endpoint's p95 reaches 500 ms, with every process's CPU at each step, so the
 * process that saturates first is named.
 *
 * Results also go to .data/bench/load.json, from which `node infra/bench/load-chart.ts` draws
 * docs/performance-load.svg. Needs `npm run stack:install`, and the stack's ports free: on a
 * shared machine, run it under the ports lock (`flock /tmp/sightline-ports.lock npm run bench:load`).
 *
 * BENCH_SECONDS (default 20) is each measurement's length, after 5 s of warm-up; BENCH_ROUNDS
 * (default 2) how many times off and on alternate (the figures are means over the rounds);
 * BENCH_ONLY=catalog skips the order path and the breakpoint (for profiling one change);
 * Last, the collector's two sampling profiles on the order path (sampling-cost.ts);
 * BENCH_ONLY=sampling runs only that.
 * BENCH_CPU_PROF=<dir> profiles every Node process of the stack (see startStack).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { CARDS, type JourneySession } from '../../load-tests/journey.ts';
import { readPids } from '../stack/pid-files.ts';
import { pin, readPins, ROOT } from '../stack/pins.ts';
import { residentMiB } from '../stack/resident-memory.ts';
import { journeyLoad } from './journey-load.ts';
import { cpuPercent, stackCpu } from './process-cpu.ts';
import { samplingCost } from './sampling-cost.ts';
import { Traffic } from './traffic.ts';

const pins = readPins();
const GATEWAY = `http://127.0.0.1:${pin(pins, 'API_GATEWAY_PORT')}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARM_UP_SECONDS = 5;
const ONLY_CATALOG = process.env.BENCH_ONLY === 'catalog';
const SERVICES = ['api-gateway', 'user-service', 'order-service', 'payment-service'];

/** The same for both runs: only OTEL_SDK_DISABLED differs. */
const STACK_ENV = {
  LOG_LEVEL: 'info',
  OTEL_TRACES_SAMPLER: 'parentbased_always_on',
  // The simulated provider answers in 2.5-7.5 ms: fast enough that CPU, not waiting, limits.
  PROVIDER_LATENCY_MS: '5',
  // One client address sends everything; the gateway's per-address limits must not be what we measure.
  RATE_LIMIT_MAX: '100000000',
  SIGN_UP_RATE_LIMIT_MAX: '100000000',
};

/**
 * BENCH_CPU_PROF=<dir>: every Node process of the stack writes a V8 CPU profile there when it
 * stops (`node infra/bench/profile-summary.ts <file>` says where the time went).
 */
const CPU_PROFILES = process.env.BENCH_CPU_PROF;

function startStack(telemetry: boolean): void {
  const env = {
    ...process.env,
    ...STACK_ENV,
    OTEL_SDK_DISABLED: telemetry ? 'false' : 'true',
    ...(CPU_PROFILES ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${CPU_PROFILES}` } : {}),
  };
  const up = spawnSync(process.execPath, ['infra/stack/up.ts'], {
    cwd: ROOT,
    env,
    stdio: 'ignore',
  });
  if (up.status !== 0) throw new Error('npm run stack failed; see .data/stack/logs/');
}

function stopStack(): void {
  spawnSync(process.execPath, ['infra/stack/down.ts'], { cwd: ROOT, stdio: 'ignore' });
}

interface Measured {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  seconds: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** One autocannon run; latency percentiles from every response, errors = non-2xx + failures. */
async function measure(options: autocannon.Options): Promise<Measured> {
  const latencies: number[] = [];
  let nonSuccess = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) =>
      error ? reject(error as Error) : resolve(done),
    );
    instance.on('response', (_client, status: number, _bytes: number, ms: number) => {
      latencies.push(ms);
      if (status >= 300) nonSuccess += 1;
    });
  });
  latencies.sort((a, b) => a - b);
  const seconds = result.duration;
  return {
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: nonSuccess + result.errors + result.timeouts,
    seconds,
  };
}

/** A new customer's id, signed up through the gateway. */
const newUser = () => new Traffic(GATEWAY).newUser();

function orderBody(userId: string): string {
  return JSON.stringify({
    userId,
    items: [{ sku: 'SKU-MUG-002', quantity: 1 }],
    card: { number: CARDS.ok, expMonth: 12, expYear: 2035, cvc: '123' },
  });
}

/** POST /api/orders with a fresh Idempotency-Key each time. */
function orderRequest(userId: string): autocannon.Request {
  return {
    method: 'POST',
    path: '/api/orders',
    headers: { 'content-type': 'application/json' },
    body: orderBody(userId),
    setupRequest: (request) => ({
      ...request,
      headers: { ...request.headers, 'idempotency-key': crypto.randomUUID() },
    }),
  };
}

const catalogLoad: autocannon.Options = { url: `${GATEWAY}/api/products`, connections: 16 };
const orderLoad = (userId: string): autocannon.Options => ({
  url: GATEWAY,
  connections: 32,
  requests: [orderRequest(userId)],
});

interface PathResult extends Measured {
  rssMiB: Record<string, number>;
  cpuPercent: Record<string, number>;
  /**
   * CPU time per request (µs) of each process at a fixed rate the stack keeps up with in both
   * modes: what telemetry costs each process without the queueing of a saturated run.
   */
  cpuPerRequest?: Record<string, number>;
  /** What the collector accepted per request sent (telemetry on): every signal kept, or not. */
  spansPerRequest?: number;
  logRecordsPerRequest?: number;
}

const COLLECTOR_METRICS = `http://127.0.0.1:${pin(pins, 'OTELCOL_METRICS_PORT')}/metrics`;

/** Spans and log records the collector has accepted so far, from its own metrics. */
async function collectorAccepted(): Promise<{ spans: number; logRecords: number }> {
  const text = await (await fetch(COLLECTOR_METRICS)).text();
  const total = (metric: string) =>
    [...text.matchAll(new RegExp(`^${metric}(?:_total)?(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    );
  return {
    spans: total('otelcol_receiver_accepted_spans'),
    logRecords: total('otelcol_receiver_accepted_log_records'),
  };
}

/** Requests/s of the fixed-rate phase: about half of what the catalog path takes on 2 cores. */
const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 400);

/** Each process's CPU µs per request while `options` is sent at `rate` requests/s. */
async function cpuPerRequest(
  options: autocannon.Options,
  rate: number,
): Promise<Record<string, number>> {
  const before = stackCpu();
  const sent = await measure({ ...options, overallRate: rate, duration: SECONDS / 2 });
  const after = stackCpu();
  const requests = sent.requestsPerSecond * sent.seconds;
  return Object.fromEntries(
    [...after].map(([name, seconds]) => [
      name,
      ((seconds - (before.get(name) ?? 0)) * 1e6) / requests,
    ]),
  );
}

async function runPath(
  options: autocannon.Options,
  telemetry: boolean,
  fixedRate?: number,
): Promise<PathResult> {
  await measure({ ...options, duration: WARM_UP_SECONDS });
  // Let the warm-up's last batches (the SDKs export every few seconds) reach the collector.
  await sleep(6_000);
  const accepted = telemetry ? await collectorAccepted() : undefined;
  const before = stackCpu();
  const measured = await measure({ ...options, duration: SECONDS });
  const cpu = cpuPercent(before, stackCpu(), measured.seconds);
  let delivered: Pick<PathResult, 'spansPerRequest' | 'logRecordsPerRequest'> = {};
  if (accepted) {
    await sleep(6_000);
    const after = await collectorAccepted();
    const requests = measured.requestsPerSecond * measured.seconds;
    delivered = {
      spansPerRequest: (after.spans - accepted.spans) / requests,
      logRecordsPerRequest: (after.logRecords - accepted.logRecords) / requests,
    };
  }
  const rssMiB: Record<string, number> = {};
  for (const record of readPids()) {
    if (SERVICES.includes(record.name)) rssMiB[record.name] = residentMiB(record.pid) ?? NaN;
  }
  return {
    ...measured,
    rssMiB,
    cpuPercent: Object.fromEntries(cpu),
    ...delivered,
    ...(fixedRate ? { cpuPerRequest: await cpuPerRequest(options, fixedRate) } : {}),
  };
}

interface BreakpointStep {
  journeysPerSecond: number;
  /** Journeys finished per second over the whole step, stragglers included. */
  finishedPerSecond: number;
  failed: number;
  /** p95 of each endpoint's requests, ms. */
  p95ByEndpoint: Record<string, number>;
  /** The slowest endpoint's p95 and p99, ms. */
  p95: number;
  p99: number;
  cpuPercent: Record<string, number>;
  held: boolean;
}

const BREAKPOINT_P95_MS = 500;
const STEP_SECONDS = 15;

/**
 * The k6 journey (journey-load.ts) at rising arrival rates, 15 s each, until an endpoint's p95
 * reaches 500 ms or journeys fail. Sign-ups happen once per session, before the steps.
 */
async function breakpoint(): Promise<BreakpointStep[]> {
  // Sign every user up first, one at a time: each is a password hash (~0.15 s of CPU), and a
  // burst of sign-ups would only measure user-service's hash pool (`npm run bench:signup` does).
  const sessions: JourneySession[] = [];
  for (let i = 0; i < 32; i++) {
    const session: JourneySession = {};
    await journeyLoad(GATEWAY, [session], 1, 1);
    if (session.userId) sessions.push(session);
  }
  if (sessions.length === 0) throw new Error('no user could sign up for the breakpoint');
  const steps: BreakpointStep[] = [];
  for (let rate = 5; rate <= 400; rate = Math.round(rate * 1.4)) {
    const before = stackCpu();
    const result = await journeyLoad(GATEWAY, sessions, rate, STEP_SECONDS);
    const cpu = cpuPercent(before, stackCpu(), result.seconds);
    const p95ByEndpoint: Record<string, number> = {};
    let p95 = 0;
    let p99 = 0;
    for (const [name, list] of result.latencies) {
      const sorted = [...list].sort((x, y) => x - y);
      p95ByEndpoint[name] = percentile(sorted, 95);
      p95 = Math.max(p95, percentile(sorted, 95));
      p99 = Math.max(p99, percentile(sorted, 99));
    }
    const held = p95 < BREAKPOINT_P95_MS && result.failed === 0;
    steps.push({
      journeysPerSecond: rate,
      finishedPerSecond: result.journeysFinished / result.seconds,
      failed: result.failed,
      p95ByEndpoint,
      p95,
      p99,
      cpuPercent: Object.fromEntries(cpu),
      held,
    });
    console.log(
      `  ${rate} journeys/s: slowest endpoint p95 ${p95.toFixed(0)} ms, ${result.failed} failed${held ? '' : '  ← not held'}`,
    );
    if (!held) break;
  }
  return steps;
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function printPaths(name: string, off: PathResult, on: PathResult): void {
  console.log(`\n### ${name}\n`);
  console.log('| telemetry | requests/s | p50 (ms) | p99 (ms) | errors |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, r] of [
    ['off', off],
    ['on', on],
  ] as const) {
    console.log(
      `| ${label} | ${fmt(r.requestsPerSecond)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.errors} |`,
    );
  }
  if (on.spansPerRequest !== undefined)
    console.log(
      `\ncollector accepted per request (telemetry on): ${fmt(on.spansPerRequest, 2)} spans, ${fmt(on.logRecordsPerRequest ?? NaN, 2)} log records`,
    );
  console.log(
    `\non/off ratio (requests/s): **${(on.requestsPerSecond / off.requestsPerSecond).toFixed(2)}**\n`,
  );
  console.log(
    '| process | RSS off (MiB) | RSS on (MiB) | CPU off (% of a core) | CPU on (% of a core) |',
  );
  console.log('|---|---:|---:|---:|---:|');
  const names = [
    ...new Set([...Object.keys(on.cpuPercent), ...Object.keys(off.cpuPercent)]),
  ].sort();
  for (const process of names) {
    const rss = (r: PathResult) => (r.rssMiB[process] === undefined ? '' : fmt(r.rssMiB[process]));
    console.log(
      `| ${process} | ${rss(off)} | ${rss(on)} | ${fmt(off.cpuPercent[process] ?? 0)} | ${fmt(on.cpuPercent[process] ?? 0)} |`,
    );
  }
  const sum = (r: PathResult) => Object.values(r.rssMiB).reduce((a, b) => a + b, 0);
  console.log(`| **four services** | **${fmt(sum(off))}** | **${fmt(sum(on))}** | | |`);
  if (off.cpuPerRequest && on.cpuPerRequest)
    printCpuPerRequest(off.cpuPerRequest, on.cpuPerRequest);
}

/** Where telemetry's CPU goes, process by process, at the fixed rate. */
function printCpuPerRequest(off: Record<string, number>, on: Record<string, number>): void {
  console.log(`\nCPU per request at ${FIXED_RATE} requests/s (µs; the load generator left out):\n`);
  console.log('| process | off | on | telemetry adds |');
  console.log('|---|---:|---:|---:|');
  const names = [...new Set([...Object.keys(off), ...Object.keys(on)])]
    .filter((name) => !name.startsWith('load generator'))
    .filter((name) => (off[name] ?? 0) >= 1 || (on[name] ?? 0) >= 1)
    .sort();
  let offTotal = 0;
  let onTotal = 0;
  for (const name of names) {
    const [a, b] = [off[name] ?? 0, on[name] ?? 0];
    offTotal += a;
    onTotal += b;
    console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${fmt(b - a)} |`);
  }
  console.log(
    `| **all** | **${fmt(offTotal)}** | **${fmt(onTotal)}** | **${fmt(onTotal - offTotal)}** |`,
  );
  console.log(
    `\non/off ratio (CPU per request, all processes): **${(offTotal / onTotal).toFixed(2)}**`,
  );
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const results: {
  machine: { cores: number; loadAverage: number[] };
  seconds: number;
  rounds: Record<'off' | 'on', { catalog?: PathResult; order?: PathResult }>[];
  runs: Record<'off' | 'on', { catalog?: PathResult; order?: PathResult }>;
  breakpoint?: BreakpointStep[];
} = {
  machine: { cores: (await import('node:os')).availableParallelism(), loadAverage: [] },
  seconds: SECONDS,
  rounds: [],
  runs: { off: {}, on: {} },
};

/** The mean of each figure over the rounds; memory and CPU share from the last round. */
function mean(figures: PathResult[]): PathResult {
  const avg = (pick: (r: PathResult) => number) =>
    figures.reduce((sum, r) => sum + pick(r), 0) / figures.length;
  return {
    ...figures.at(-1)!,
    requestsPerSecond: avg((r) => r.requestsPerSecond),
    p50: avg((r) => r.p50),
    p95: avg((r) => r.p95),
    p99: avg((r) => r.p99),
    errors: figures.reduce((sum, r) => sum + r.errors, 0),
    ...(figures.every((r) => r.cpuPerRequest) ? { cpuPerRequest: meanCpu(figures) } : {}),
  };
}

function meanCpu(figures: PathResult[]): Record<string, number> {
  const names = new Set(figures.flatMap((r) => Object.keys(r.cpuPerRequest!)));
  return Object.fromEntries(
    [...names].map((name) => [
      name,
      figures.reduce((sum, r) => sum + (r.cpuPerRequest![name] ?? 0), 0) / figures.length,
    ]),
  );
}

if (process.env.BENCH_ONLY === 'sampling') {
  await samplingCost(STACK_ENV);
  process.exit(0);
}

// Off and on alternate, round after round, so that a machine busy with something else
// for a while weighs on both alike.
for (let round = 1; round <= ROUNDS; round++) {
  const figures: (typeof results.rounds)[number] = { off: {}, on: {} };
  for (const telemetry of [false, true]) {
    const label = telemetry ? 'on' : 'off';
    console.log(`round ${round}/${ROUNDS}, telemetry ${label}: starting the native stack …`);
    startStack(telemetry);
    try {
      const userId = await newUser();
      figures[label].catalog = await runPath(catalogLoad, telemetry, FIXED_RATE);
      console.log(`  catalog: ${figures[label].catalog.requestsPerSecond.toFixed(0)} requests/s`);
      if (!ONLY_CATALOG) {
        figures[label].order = await runPath(orderLoad(userId), telemetry);
        console.log(`  order: ${figures[label].order.requestsPerSecond.toFixed(0)} requests/s`);
        if (telemetry && round === ROUNDS) {
          console.log('  breakpoint of the order journey …');
          results.breakpoint = await breakpoint();
        }
      }
    } finally {
      stopStack();
    }
  }
  results.rounds.push(figures);
}
for (const label of ['off', 'on'] as const) {
  for (const path of ['catalog', 'order'] as const) {
    const figures = results.rounds.flatMap((r) => r[label][path] ?? []);
    if (figures.length > 0) results.runs[label][path] = mean(figures);
  }
}
results.machine.loadAverage = (await import('node:os')).loadavg();

console.log(
  `\n## bench:load (${SECONDS} s per measurement, after ${WARM_UP_SECONDS} s of warm-up)`,
);
const { off, on } = results.runs;
printPaths('Catalog path: GET /api/products, 16 connections', off.catalog!, on.catalog!);
if (off.order && on.order) {
  printPaths('Order path: POST /api/orders, 32 connections', off.order, on.order);
}
if (results.breakpoint) {
  const steps = results.breakpoint;
  const last = steps.findLast((s) => s.held);
  const broke = steps.find((s) => !s.held);
  console.log(
    '\n### Breakpoint: the k6 journey (sign-up once per user, catalog, order, read back) at rising arrival rates, telemetry on\n',
  );
  const endpoints = [...new Set(steps.flatMap((s) => Object.keys(s.p95ByEndpoint)))];
  console.log(
    `| journeys/s started | finished/s | ${endpoints.map((e) => `p95 ${e} (ms)`).join(' | ')} | failed | busiest process |`,
  );
  console.log(`|---:|---:|${endpoints.map(() => '---:|').join('')}---:|---|`);
  for (const s of steps) {
    const [busiest, share] = Object.entries(s.cpuPercent).sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    console.log(
      `| ${s.journeysPerSecond} | ${fmt(s.finishedPerSecond, 1)} | ${endpoints.map((e) => fmt(s.p95ByEndpoint[e] ?? NaN)).join(' | ')} | ${s.failed} | ${busiest} ${fmt(share)} % |`,
    );
  }
  console.log(
    `\nSustained with every endpoint's p95 < ${BREAKPOINT_P95_MS} ms: **${last ? last.journeysPerSecond : 'none'} journeys/s** (each 3 requests after its user's sign-up).`,
  );
  if (broke) {
    console.log(
      `CPU per process where it broke (${broke.journeysPerSecond} journeys/s), % of one core:`,
    );
    for (const [name, share] of Object.entries(broke.cpuPercent).sort((a, b) => b[1] - a[1])) {
      console.log(`  ${name.padEnd(32)} ${fmt(share)}`);
    }
  }
}
console.log(
  `\nload average at the end: ${results.machine.loadAverage.map((n) => n.toFixed(2)).join(' ')}`,
);

const sampling = ONLY_CATALOG ? undefined : await samplingCost(STACK_ENV);

const out = join(ROOT, '.data', 'bench');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'load.json'), `${JSON.stringify({ ...results, sampling }, null, 2)}\n`);
console.log(`results: ${join(out, 'load.json')}`);
