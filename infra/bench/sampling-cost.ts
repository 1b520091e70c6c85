/**
 * Part of `npm run bench:load`: what the collector's sampling profiles cost (docs/sampling.md).
 * The native stack is started once per profile, telemetry on, and the order path is sent at a
 * fixed rate (BENCH_SAMPLING_RATE, default 40 orders/s) for BENCH_SECONDS; CPU time is counted
 * from the start of the load until the decision wait after it has passed (spans the tail
 * sampler holds are exported then), and the collector's and Jaeger's resident memory is read
 * every 250 ms for its peak. `BENCH_ONLY=sampling npm run bench:load` runs only this.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { CARDS } from '../../load-tests/journey.ts';
import { readPids } from '../stack/pid-files.ts';
import { pin, readPins, ROOT } from '../stack/pins.ts';
import { residentMiB } from '../stack/resident-memory.ts';
import { SAMPLING_PROFILES, type SamplingProfileName } from '../stack/sampling.ts';
import { stackCpu } from './process-cpu.ts';
import { Traffic } from './traffic.ts';

const pins = readPins();
const GATEWAY = `http://127.0.0.1:${pin(pins, 'API_GATEWAY_PORT')}`;
const COLLECTOR_METRICS = `http://127.0.0.1:${pin(pins, 'OTELCOL_METRICS_PORT')}/metrics`;
const RATE = Number(process.env.BENCH_SAMPLING_RATE ?? 40);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** The production profile's default (otel-collector/sampling-production.yaml). */
const DECISION_WAIT_SECONDS = 10;
const WATCHED = ['otel-collector', 'jaeger'] as const;

export interface SamplingCost {
  profile: SamplingProfileName;
  ordersPerSecond: number;
  spansPerOrder: number;
  /** Spans the collector exported to Jaeger, per span it accepted. */
  exportedShare: number;
  cpuMicrosPerOrder: Record<string, number>;
  peakMiB: Record<string, number>;
}

async function collectorCounter(metric: string): Promise<number> {
  const text = await (await fetch(COLLECTOR_METRICS)).text();
  return [...text.matchAll(new RegExp(`^${metric}(?:_total)?(\\{[^}]*\\})? (\\S+)$`, 'gm'))]
    .filter(
      (match) =>
        metric !== 'otelcol_exporter_sent_spans' ||
        /exporter="otlp_grpc\/jaeger"/.test(match[1] ?? ''),
    )
    .reduce((sum, match) => sum + Number(match[2]), 0);
}

function orders(userId: string): autocannon.Options {
  return {
    url: GATEWAY,
    connections: 8,
    overallRate: RATE,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/orders',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          userId,
          items: [{ sku: 'SKU-MUG-002', quantity: 1 }],
          card: { number: CARDS.ok, expMonth: 12, expYear: 2035, cvc: '123' },
        }),
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, 'idempotency-key': crypto.randomUUID() },
        }),
      },
    ],
  };
}

async function measureProfile(
  profile: SamplingProfileName,
  env: NodeJS.ProcessEnv,
): Promise<SamplingCost> {
  const up = spawnSync(process.execPath, ['infra/stack/up.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, SIGHTLINE_SAMPLING: profile, TRAFFIC_RATE: '0' },
    stdio: 'ignore',
  });
  if (up.status !== 0) throw new Error('npm run stack failed; see .data/stack/logs/');
  try {
    const userId = await new Traffic(GATEWAY).newUser();
    // Warm up, then let the warm-up's spans through the decision wait.
    await new Promise((resolve) => autocannon({ ...orders(userId), duration: 5 }, resolve));
    await sleep((DECISION_WAIT_SECONDS + 3) * 1000);

    const peakMiB: Record<string, number> = {};
    const pids = readPids().filter((r) => (WATCHED as readonly string[]).includes(r.name));
    const watch = setInterval(() => {
      for (const record of pids) {
        const mib = residentMiB(record.pid) ?? 0;
        peakMiB[record.name] = Math.max(peakMiB[record.name] ?? 0, mib);
      }
    }, 250);
    const accepted = await collectorCounter('otelcol_receiver_accepted_spans');
    const exported = await collectorCounter('otelcol_exporter_sent_spans');
    const before = stackCpu();
    let sent = 0;
    await new Promise<void>((resolve, reject) => {
      const instance = autocannon(orders(userId), (error) =>
        error ? reject(error as Error) : resolve(),
      );
      instance.on('response', () => sent++);
    });
    // Every span of the load decided and exported: the decision wait, and the batch after it.
    await sleep((DECISION_WAIT_SECONDS + 3) * 1000);
    const after = stackCpu();
    clearInterval(watch);
    const spans = (await collectorCounter('otelcol_receiver_accepted_spans')) - accepted;
    const sentSpans = (await collectorCounter('otelcol_exporter_sent_spans')) - exported;
    return {
      profile,
      ordersPerSecond: sent / SECONDS,
      spansPerOrder: spans / sent,
      exportedShare: sentSpans / spans,
      cpuMicrosPerOrder: Object.fromEntries(
        WATCHED.map((name) => [
          name,
          (((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1e6) / sent,
        ]),
      ),
      peakMiB,
    };
  } finally {
    spawnSync(process.execPath, ['infra/stack/down.ts'], { cwd: ROOT, stdio: 'ignore' });
  }
}

/** Runs both profiles with the stack environment bench:load uses, and prints the table. */
export async function samplingCost(env: NodeJS.ProcessEnv): Promise<SamplingCost[]> {
  const results: SamplingCost[] = [];
  for (const profile of SAMPLING_PROFILES) {
    console.log(`sampling profile ${profile}: starting the native stack …`);
    results.push(await measureProfile(profile, env));
  }
  const fmt = (n: number | undefined, digits = 0) => (n ?? NaN).toFixed(digits);
  console.log(
    `\n### Sampling profiles: POST /api/orders at ${RATE}/s for ${SECONDS} s (decision wait ${DECISION_WAIT_SECONDS} s)\n`,
  );
  console.log(
    '| profile | orders/s | spans per order | share of spans to Jaeger | collector CPU per order (µs) | collector peak RSS (MiB) | Jaeger CPU per order (µs) | Jaeger peak RSS (MiB) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.profile} | ${fmt(r.ordersPerSecond, 1)} | ${fmt(r.spansPerOrder, 1)} | ${fmt(r.exportedShare * 100, 1)} % | ${fmt(r.cpuMicrosPerOrder['otel-collector'])} | ${fmt(r.peakMiB['otel-collector'])} | ${fmt(r.cpuMicrosPerOrder.jaeger)} | ${fmt(r.peakMiB.jaeger)} |`,
    );
  }
  const [all, production] = results;
  if (all && production) {
    const extra =
      (production.peakMiB['otel-collector'] ?? 0) - (all.peakMiB['otel-collector'] ?? 0);
    console.log(
      `\nThe tail sampler holds ${DECISION_WAIT_SECONDS} s of spans: ${fmt(production.spansPerOrder * DECISION_WAIT_SECONDS * production.ordersPerSecond)} spans here; the collector's peak grew by ${fmt(extra, 1)} MiB, about ${fmt((extra * 1000) / production.ordersPerSecond)} MiB per 1,000 orders a second.`,
    );
  }
  return results;
}
