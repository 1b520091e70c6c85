/**
 * `npm run bench:stack`: the native stack's figures for docs/performance.md.
 *   1. time from `npm run stack` to the first trace being queryable in Jaeger;
 *   2. resident memory of every process at idle;
 *   3. the same after a minute of steady traffic (5 orders and 20 reads a second).
 * It starts the stack itself and stops it at the end (needs `npm run stack:install`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPids } from '../stack/pid-files.ts';
import { pin, readPins, ROOT } from '../stack/pins.ts';
import { residentMiB } from '../stack/resident-memory.ts';
import { Traffic } from './traffic.ts';

const pins = readPins();
const JAEGER = `http://127.0.0.1:${pin(pins, 'JAEGER_UI_PORT')}`;
const GATEWAY = `http://127.0.0.1:${pin(pins, 'API_GATEWAY_PORT')}`;
const TRAFFIC_SECONDS = Number(process.env.TRAFFIC_SECONDS ?? 60);

/** Resident memory of every process the stack recorded, and of its PostgreSQL. */
function stackMemory(): Map<string, number> {
  const figures = new Map<string, number>();
  for (const record of readPids()) {
    const mib = residentMiB(record.pid);
    if (mib !== undefined) figures.set(record.name, mib);
  }
  // The stack's PostgreSQL records its own pid.
  const postmaster = `${ROOT}.data/stack/postgres/postmaster.pid`;
  if (existsSync(postmaster)) {
    const mib = residentMiB(Number(readFileSync(postmaster, 'utf8').split('\n')[0]));
    if (mib !== undefined) figures.set('postgres (postmaster only)', mib);
  }
  return figures;
}

const hex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

/** A new customer's id, signed up through the gateway. */
const traffic = new Traffic(GATEWAY);
const newUser = () => traffic.newUser();

const started = performance.now();
const up = spawnSync(process.execPath, ['infra/stack/up.ts'], { cwd: ROOT, stdio: 'ignore' });
if (up.status !== 0) throw new Error('npm run stack failed; see .data/stack/logs/');
const upSeconds = (performance.now() - started) / 1000;

try {
  const traceId = hex(16);
  await traffic.order(await newUser(), 'ok', `00-${traceId}-${hex(8)}-01`);
  while ((await fetch(`${JAEGER}/api/traces/${traceId}`)).status !== 200) await sleep(100);
  const firstTraceSeconds = (performance.now() - started) / 1000;

  await sleep(10_000);
  const idle = stackMemory();

  const userId = await newUser();
  const deadline = Date.now() + TRAFFIC_SECONDS * 1000;
  let requests = 0;
  while (Date.now() < deadline) {
    const tick = Date.now();
    await Promise.all([
      ...Array.from({ length: 5 }, () => traffic.order(userId)),
      ...Array.from({ length: 20 }, () => traffic.products()),
    ]);
    requests += 25;
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
  const busy = stackMemory();

  console.log(`npm run stack → all healthy: ${upSeconds.toFixed(1)} s`);
  console.log(`npm run stack → first trace queryable in Jaeger: ${firstTraceSeconds.toFixed(1)} s`);
  console.log(`traffic: ${requests} requests in ${TRAFFIC_SECONDS} s\n`);
  console.log('| process | RSS idle (MiB) | RSS after traffic (MiB) |');
  console.log('|---|---:|---:|');
  let idleSum = 0;
  let busySum = 0;
  for (const [name, mib] of idle) {
    const after = busy.get(name) ?? NaN;
    idleSum += mib;
    busySum += after;
    console.log(`| ${name} | ${mib.toFixed(0)} | ${after.toFixed(0)} |`);
  }
  console.log(`| **sum** | **${idleSum.toFixed(0)}** | **${busySum.toFixed(0)}** |`);
} finally {
  spawnSync(process.execPath, ['infra/stack/down.ts'], { cwd: ROOT, stdio: 'ignore' });
}
