/**
 * `npm run bench:signup`: a burst of sign-ups against user-service through the gateway, 50 at
 * once and then 200 at once, each sign-up a password hash (~0.15 s of CPU, 128 MiB). It prints,
 * per burst, the sign-ups' p50 and p99, the share answered 503 (`busy`: past user-service's
 * hash pool and its queue), user-service's peak resident memory, and how long until a normal
 * request (`GET /api/users/:id`, through the gateway) is fast again.
 *
 * Both services run as their own processes on free ports, on an embedded PostgreSQL, telemetry
 * export off; nothing else needs to be installed or free. user-service's hash pool keeps its
 * defaults unless PASSWORD_HASH_CONCURRENCY or PASSWORD_HASH_QUEUE_LIMIT is set; the gateway's per-address sign-up limit
 * (SIGN_UP_RATE_LIMIT_MAX, 5 a minute) is raised to 100000, since every sign-up comes from this
 * one address and the limit would otherwise refuse all but five.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.ts';
import { launchService, serviceUrls, type ServiceName } from '../dev/services.ts';
import { residentMiB } from '../stack/resident-memory.ts';
import { median } from './median.ts';
import { freePort } from '../dev/free-port.ts';

const BURSTS = [50, 200];
/** The pool's settings, if set here; otherwise user-service's defaults. */
const POOL_SETTINGS = Object.fromEntries(
  ['PASSWORD_HASH_CONCURRENCY', 'PASSWORD_HASH_QUEUE_LIMIT'].flatMap((key) =>
    process.env[key] ? [[key, process.env[key]]] : [],
  ),
);
/** After the last sign-up's answer, how long reads go on, to see they stay fast. */
const SETTLE_MS = 2_000;

/** One service as its own process, telemetry export off, ready to serve. */
function launch(name: ServiceName, port: number, env: Record<string, string>) {
  return launchService(name, {
    PATH: process.env.PATH,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    SHUTDOWN_READINESS_DELAY_MS: '0',
    ...env,
  });
}

function stop(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface BurstResult {
  size: number;
  p50: number;
  p99: number;
  statuses: Record<number, number>;
  peakRssMiB: number;
  /** From the burst's start until the end of the last read slower than the threshold. */
  fastAgainMs: number;
  slowestReadMs: number;
}

const postgres = await startEmbeddedPostgres({
  dataDir: await mkdtemp(join(tmpdir(), 'sightline-bench-pg-')),
  port: await freePort(),
  persistent: false,
  fast: true,
});
const children: ChildProcess[] = [];
try {
  await postgres.ensureDatabase('users_bench_signup');
  const ports = {
    'user-service': await freePort(),
    'api-gateway': await freePort(),
    'order-service': 0,
    'payment-service': 0,
  };
  const users = await launch('user-service', ports['user-service'], {
    DATABASE_URL: postgres.url('users_bench_signup'),
    ...POOL_SETTINGS,
  });
  children.push(users);
  children.push(
    await launch('api-gateway', ports['api-gateway'], {
      ...serviceUrls(ports),
      SIGN_UP_RATE_LIMIT_MAX: '100000',
    }),
  );
  const gateway = `http://127.0.0.1:${ports['api-gateway']}`;

  const signUp = async () => {
    const started = performance.now();
    const response = await fetch(`${gateway}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${crypto.randomUUID()}@example.com`,
        name: 'Bench',
        password: 'long enough password',
      }),
    });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  };

  // The user every read asks for.
  const reader = await fetch(`${gateway}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'reader@example.com', name: 'Reader', password: 'long enough' }),
  });
  if (reader.status !== 201) throw new Error(`the reader's sign-up answered ${reader.status}`);
  const userId = ((await reader.json()) as { id: string }).id;
  const read = async () => {
    const started = performance.now();
    const response = await fetch(`${gateway}/api/users/${userId}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`a user read answered ${response.status}`);
    return performance.now() - started;
  };

  // A read's time at rest, after a warm-up; "fast again" is within 3 times that (at least 20 ms).
  for (let i = 0; i < 20; i++) await read();
  const atRest: number[] = [];
  for (let i = 0; i < 40; i++) atRest.push(await read());
  const restMs = median(atRest);
  const thresholdMs = Math.max(20, 3 * restMs);

  const results: BurstResult[] = [];
  for (const size of BURSTS) {
    const burstStart = performance.now();
    let peakRssMiB = residentMiB(users.pid!) ?? NaN;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakRssMiB = Math.max(peakRssMiB, residentMiB(users.pid!) ?? 0);
        await sleep(10);
      }
    })();
    let signUpsDone = false;
    let lastSlowEnd = 0;
    let slowestReadMs = 0;
    const reads = (async () => {
      let settleUntil = Infinity;
      for (;;) {
        const ms = await read();
        const end = performance.now() - burstStart;
        slowestReadMs = Math.max(slowestReadMs, ms);
        if (ms > thresholdMs) lastSlowEnd = end;
        if (signUpsDone && settleUntil === Infinity) settleUntil = end + SETTLE_MS;
        if (end > settleUntil) break;
      }
    })();
    const answers = await Promise.all(Array.from({ length: size }, signUp));
    signUpsDone = true;
    await reads;
    sampling = false;
    await sampler;
    const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
    const statuses: Record<number, number> = {};
    for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
    results.push({
      size,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      statuses,
      peakRssMiB,
      fastAgainMs: lastSlowEnd,
      slowestReadMs,
    });
    // Let the pool drain and memory settle before the next burst.
    await sleep(3_000);
  }

  const fmt = (n: number, digits = 0) => n.toFixed(digits);
  const others = (statuses: Record<number, number>) =>
    Object.entries(statuses)
      .filter(([status]) => status !== '201' && status !== '503')
      .map(([status, count]) => `${count} × ${status}`)
      .join(', ') || '0';
  console.log(
    `\n## bench:signup (${availableParallelism()} cores; hash pool ${JSON.stringify(POOL_SETTINGS)} (unset: defaults); SIGN_UP_RATE_LIMIT_MAX=100000)\n`,
  );
  console.log(
    `A user read at rest: ${fmt(restMs, 1)} ms (median of 40); "fast again" is under ${fmt(thresholdMs, 1)} ms.\n`,
  );
  console.log(
    '| sign-ups at once | p50 (ms) | p99 (ms) | 201 | 503 | other | 503 share | user-service peak RSS (MiB) | slowest read (ms) | reads fast again after (ms) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const ok = r.statuses[201] ?? 0;
    const busy = r.statuses[503] ?? 0;
    console.log(
      `| ${r.size} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${ok} | ${busy} | ${others(r.statuses)} | ${fmt((100 * busy) / r.size)} % | ${fmt(r.peakRssMiB)} | ${fmt(r.slowestReadMs)} | ${fmt(r.fastAgainMs)} |`,
    );
  }
} finally {
  await Promise.all(children.map(stop));
  await postgres.stop();
}
