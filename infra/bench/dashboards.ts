/**
 * `npm run bench:dashboards`: what opening each dashboard costs Prometheus.
 *   1. starts the native stack (unless STACK_RUNNING=1) and sends LOAD_MINUTES (default 10)
 *      of mixed traffic through the gateway, errors included (infra/bench/traffic.ts);
 *   2. runs every PromQL query of every panel as Grafana would on opening the dashboard
 *      (a range query over the dashboard's default time range, 15 s steps, variables
 *      filled in), three times, and keeps each query's median;
 *   3. prints, per dashboard, the number of queries, the slowest one and the sum.
 * Figures go in docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findQueries } from '../queries/find.ts';
import { fillGrafanaVariables } from '../queries/grammar.ts';
import { pin, readPins, ROOT } from '../stack/pins.ts';
import { median } from './median.ts';
import { Traffic } from './traffic.ts';

const pins = readPins();
const PROMETHEUS = `http://127.0.0.1:${pin(pins, 'PROMETHEUS_PORT')}`;
const GATEWAY = `http://127.0.0.1:${pin(pins, 'API_GATEWAY_PORT')}`;
const LOAD_MINUTES = Number(process.env.LOAD_MINUTES ?? 10);
const startStack = process.env.STACK_RUNNING !== '1';

function rangeSeconds(file: string): number {
  const { time } = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as {
    time: { from: string };
  };
  const [, n, unit] = /^now-(\d+)([mhd])$/.exec(time.from) ?? [];
  return Number(n) * { m: 60, h: 3600, d: 86_400 }[unit as 'm' | 'h' | 'd'];
}

async function timeQuery(expr: string, range: number): Promise<number> {
  const end = Date.now() / 1000;
  const params = new URLSearchParams({
    query: fillGrafanaVariables(expr),
    start: String(end - range),
    end: String(end),
    step: '15',
  });
  const started = performance.now();
  const response = await fetch(`${PROMETHEUS}/api/v1/query_range?${params.toString()}`);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${expr}: ${response.status}`);
  return performance.now() - started;
}

async function load(minutes: number): Promise<number> {
  const traffic = new Traffic(GATEWAY);
  const userId = await traffic.newUser();
  const until = Date.now() + minutes * 60_000;
  let requests = 0;
  while (Date.now() < until) {
    // Two rounds a second: about 16 requests a second, a quarter of them 4xx.
    const started = Date.now();
    await Promise.all([traffic.round(userId), traffic.round(userId)]);
    if (requests % 80 === 0) await traffic.abandonedOrder(userId);
    requests += 16;
    await sleep(Math.max(0, 1000 - (Date.now() - started)));
  }
  return requests;
}

if (startStack) {
  const up = spawnSync(process.execPath, ['infra/stack/up.ts'], { cwd: ROOT, stdio: 'inherit' });
  if (up.status !== 0) throw new Error('npm run stack failed; see .data/stack/logs/');
}
try {
  const requests = await load(LOAD_MINUTES);
  console.log(`load: ${LOAD_MINUTES} min, about ${requests} requests through the gateway`);
  const byFile = Map.groupBy(
    findQueries().filter(
      (q) => q.file.startsWith('grafana/dashboards/') && q.language === 'promql',
    ),
    (q) => q.file,
  );
  console.log('| dashboard | queries | slowest query (median of 3) | sum of all queries |');
  console.log('| --- | ---: | --- | ---: |');
  for (const [file, queries] of byFile) {
    const range = rangeSeconds(file);
    const timings: { where: string; ms: number }[] = [];
    for (const query of queries) {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await timeQuery(query.expr, range));
      timings.push({ where: query.where, ms: median(runs) });
    }
    const slowest = timings.reduce((a, b) => (b.ms > a.ms ? b : a));
    const sum = timings.reduce((total, t) => total + t.ms, 0);
    console.log(
      `| ${file.replace('grafana/dashboards/', '')} (${range / 3600} h) | ${queries.length} | ${slowest.ms.toFixed(1)} ms, ${slowest.where} | ${sum.toFixed(0)} ms |`,
    );
  }
} finally {
  if (startStack)
    spawnSync(process.execPath, ['infra/stack/down.ts'], { cwd: ROOT, stdio: 'inherit' });
}
