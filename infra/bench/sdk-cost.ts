/**
 * `npm run bench:sdk`: what the OpenTelemetry JS SDK itself costs per span and per log record,
 * as the kit configures it, with no HTTP server, instrumentation or backend in the way.
 *
 * Each measurement is a fresh process (sdk-cost-worker.ts) started with the kit's bootstrap,
 * telemetry off (`OTEL_SDK_DISABLED=true`) or on, exporting to a sink in this process that
 * answers every OTLP request with 200 (so the sink's CPU is not counted). Off and on take
 * turns, BENCH_ROUNDS times (default 3), and the table shows the medians: CPU µs per item off,
 * on, and what the SDK adds, for one span, one access line, and the four spans and two access
 * lines one catalog request records (sdk-cost-worker.ts). What the SDK adds to that request is
 * a floor under telemetry's cost per catalog request: instrumentation, context propagation and
 * the backends all come on top, and no change to our own code goes below it.
 *
 * BENCH_ITEMS (default 20000) is how many items each measurement makes; BENCH_CPU_PROF=<dir>
 * writes a V8 CPU profile of each measurement there (`node infra/bench/profile-summary.ts <file>`
 * says where its time went).
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../stack/pins.ts';
import { median } from './median.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 20_000);
const CPU_PROFILES = process.env.BENCH_CPU_PROF;
const KINDS = ['span', 'log', 'request'] as const;
type Kind = (typeof KINDS)[number];
type Mode = 'off' | 'on';

/** An OTLP/HTTP endpoint that reads each request and answers 200 with an empty body. */
async function startSink(): Promise<{ url: string; close: () => void }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

function measure(kind: Kind, mode: Mode, endpoint: string): Promise<number> {
  const child = fork(join(ROOT, 'infra/bench/sdk-cost-worker.ts'), [kind, String(ITEMS)], {
    cwd: ROOT,
    execArgv: [
      '--import',
      '@sightline/telemetry/register',
      ...(CPU_PROFILES ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILES}`] : []),
    ],
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      OTEL_SDK_DISABLED: mode === 'off' ? 'true' : 'false',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    },
    // Access lines go to stdout, as a service's do; here nobody reads them.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: number | undefined;
    child.on('message', (message: { microsPerItem: number }) => {
      result = message.microsPerItem;
    });
    child.on('exit', (code) =>
      result === undefined
        ? reject(new Error(`${kind}/${mode} worker exited with ${code} and no result`))
        : resolve(result),
    );
  });
}

const sink = await startSink();
const figures = new Map<string, number[]>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const kind of KINDS) {
    for (const mode of ['off', 'on'] as const) {
      const micros = await measure(kind, mode, sink.url);
      figures.set(`${kind}/${mode}`, [...(figures.get(`${kind}/${mode}`) ?? []), micros]);
      console.log(`round ${round}: ${kind.padEnd(4)} ${mode.padEnd(3)} ${micros.toFixed(1)} µs`);
    }
  }
}
sink.close();

console.log(`\nCPU µs per item, median of ${ROUNDS} rounds of ${ITEMS} items`);
console.log('item        off      on   added');
for (const kind of KINDS) {
  const off = median(figures.get(`${kind}/off`)!);
  const on = median(figures.get(`${kind}/on`)!);
  console.log(
    `${kind.padEnd(8)}${off.toFixed(1).padStart(7)}${on.toFixed(1).padStart(8)}${(on - off).toFixed(1).padStart(8)}`,
  );
}
const request = ['off', 'on'].map((mode) => median(figures.get(`request/${mode}`)!));
console.log(
  `the SDK alone adds ${(request[1]! - request[0]!).toFixed(0)} µs of CPU to a catalog request's telemetry`,
);
