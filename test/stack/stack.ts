import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { ADMIN_TOKEN_FILE } from '../../infra/dev/admin-token.ts';
import { join } from 'node:path';
import { DEFAULT_PORTS, spawnService } from '../../infra/dev/services.ts';
import { fromUrl } from '../../infra/dev/embedded-postgres.ts';
import { fillGrafanaVariables } from '../../infra/queries/grammar.ts';
import { isOurs, readPids, removePid, writePid } from '../../infra/stack/pid-files.ts';
import { pin, readPins, ROOT } from '../../infra/stack/pins.ts';
import { residentMiB } from '../../infra/stack/resident-memory.ts';
import {
  backendProcesses,
  LOG_DIR,
  POSTGRES_PORT,
  serviceProcesses,
  trafficProcess,
  type StackProcess,
} from '../../infra/stack/processes.ts';
import type { SamplingProfileName } from '../../infra/stack/sampling.ts';
import type { DrillResult } from '../../infra/drills/run.ts';
import { SERVICES } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import type { DeliveredLog } from '../../harness/stand-ins/loki-otlp-receiver.ts';
import { newTraceparent } from '../support/system.ts';
export { newTraceparent };

/** Where the running native stack answers, from the same pins compose reads. */
const pins = readPins();
const at = (key: string) => `http://127.0.0.1:${pin(pins, key)}`;
export const JAEGER = at('JAEGER_UI_PORT');
export const PROMETHEUS = at('PROMETHEUS_PORT');
export const ALERTMANAGER = at('ALERTMANAGER_PORT');
export const ALERT_WEBHOOK = at('ALERT_WEBHOOK_PORT');
export const GATEWAY = `http://127.0.0.1:${DEFAULT_PORTS['api-gateway']}`;

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function stackProcess(name: string): StackProcess {
  const postgres = fromUrl(`postgres://postgres:postgres@127.0.0.1:${POSTGRES_PORT}/postgres`);
  const spec = [
    ...backendProcesses(),
    // The run's admin token, so a restarted service still takes `npm run fault` and drills.
    ...serviceProcesses(
      (database) => postgres.url(database),
      pins,
      existsSync(ADMIN_TOKEN_FILE) ? readFileSync(ADMIN_TOKEN_FILE, 'utf8').trim() : undefined,
    ),
  ].find((p) => p.name === name);
  if (!spec) throw new Error(`the stack has no process named ${name}`);
  return spec;
}

/** Stops one process of the running stack, as a drill would, and waits until it is gone. */
export async function stopStackProcess(name: string): Promise<void> {
  const record = readPids().find((r) => r.name === name);
  if (!record || !isOurs(record)) throw new Error(`${name} is not running`);
  const parent = Number(
    execFileSync('ps', ['-o', 'ppid=', '-p', String(record.pid)], { encoding: 'utf8' }).trim(),
  );
  process.kill(record.pid, 'SIGTERM');
  await eventually(`${name} to exit`, () => !isOurs(record), 20_000);
  // The stack's supervisor forgets a child of its own once it has exited; wait for that, so it
  // cannot forget a process started again under the same name. One this test process started
  // (or one whose supervisor is gone) is forgotten here.
  if (parent === process.pid || parent === 1) removePid(name);
  else
    await eventually(
      `the stack to forget ${name}`,
      () => !readPids().some((r) => r.name === name && r.pid === record.pid),
      5_000,
    );
}

/**
 * Starts one process of the stack again, with the same command, config and log file, and
 * records it so that `npm run stack:down` stops it like the rest.
 */
export async function restartStackProcess(name: string): Promise<void> {
  const spec = stackProcess(name);
  const log = openSync(join(LOG_DIR, `${name}.log`), 'a');
  const env = { ...process.env, ...spec.env };
  const child = spec.service
    ? spawnService(spec.service, env, log)
    : spawn(spec.command as string, spec.args ?? [], {
        cwd: ROOT,
        env,
        stdio: ['ignore', log, log],
      });
  // It belongs to the stack now, not to this test process.
  child.unref();
  writePid({
    name,
    pid: child.pid as number,
    command: spec.service ? `services/${spec.service}/src/main.ts` : (spec.command as string),
  });
  await eventually(
    `${name} to be healthy again`,
    async () => (await fetch(spec.health)).ok,
    60_000,
  );
}

/**
 * Stops one process of the stack, runs `body` while it is down, and starts it again whatever
 * `body` did: a failed assertion in one test must not leave the stack without it for the rest.
 */
export async function whileStopped<T>(name: string, body: () => Promise<T>): Promise<T> {
  await stopStackProcess(name);
  try {
    return await body();
  } finally {
    await restartStackProcess(name);
  }
}

/**
 * Starts one process of the stack again with this process's environment, stopping it first
 * if it runs (after a failed test it may not).
 */
export async function reloadStackProcess(name: string): Promise<void> {
  if (readPids().some((record) => record.name === name && isOurs(record))) {
    await stopStackProcess(name);
  }
  await restartStackProcess(name);
}

/**
 * Restarts the collector and the four services with another sampling profile
 * (SIGHTLINE_SAMPLING, docs/sampling.md), as a user restarting the stack with it would get.
 */
export async function useSamplingProfile(
  profile: SamplingProfileName,
  env: Record<string, string> = {},
): Promise<void> {
  process.env.SIGHTLINE_SAMPLING = profile;
  Object.assign(process.env, env);
  for (const name of ['otel-collector', ...SERVICES.map((s) => s.name)]) {
    await reloadStackProcess(name);
  }
}

/**
 * Runs `npm run drill -- <name> --no-resolve --json`: its thread and what it printed, or why
 * it failed.
 */
export async function runDrill(
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<DrillResult & { output: string }> {
  const child = spawn(process.execPath, ['infra/drills/run.ts', name, '--no-resolve', '--json'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  console.log(out + err);
  assert.equal(code, 0, `npm run drill -- ${name} exited with ${code}: ${err}`);
  const result = JSON.parse(out.trim().split('\n').at(-1) as string) as DrillResult;
  return { ...result, output: out };
}

/** Stops the stack's traffic service; the returned function starts it again as the stack did. */
export async function pauseTraffic(): Promise<() => void> {
  const spec = trafficProcess();
  if (!spec || !readPids().some((r) => r.name === 'traffic')) return () => {};
  await stopStackProcess('traffic');
  return () => {
    const log = openSync(join(LOG_DIR, 'traffic.log'), 'a');
    const child = spawn(spec.command, spec.args, {
      cwd: ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', log, log],
    });
    child.unref();
    writePid({ name: 'traffic', pid: child.pid as number, command: spec.command });
  };
}

/** Resident memory of a stack process, in MiB. */
export function stackProcessMiB(name: string): number {
  const record = readPids().find((r) => r.name === name);
  const mib = record && residentMiB(record.pid);
  if (mib === undefined) throw new Error(`${name} is not running`);
  return mib;
}

interface JaegerTrace {
  spans: {
    spanID: string;
    operationName: string;
    processID: string;
    tags: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

/** A trace as Jaeger's query API returns it, with each span's service name resolved. */
export async function jaegerTrace(
  traceId: string,
): Promise<{ service: string; name: string; tags: Record<string, unknown> }[] | undefined> {
  const response = await fetch(`${JAEGER}/api/traces/${traceId}`);
  if (response.status === 404) return undefined;
  const { data } = (await response.json()) as { data?: JaegerTrace[] };
  const trace = data?.[0];
  if (!trace) return undefined;
  return trace.spans.map((span) => ({
    service: trace.processes[span.processID]?.serviceName ?? '',
    name: span.operationName,
    tags: Object.fromEntries(span.tags.map((t) => [t.key, t.value])),
  }));
}

/** The log records the collector delivered to the Loki stand-in (see harness/stand-ins/loki-otlp-receiver.ts). */
export async function deliveredLogs(traceId: string): Promise<DeliveredLog[]> {
  const standIn = process.env.LOKI_STAND_IN_URL;
  if (!standIn) throw new Error('LOKI_STAND_IN_URL is not set: run with `npm run test:stack`');
  return getJson<DeliveredLog[]>(`${standIn}/records?trace_id=${traceId}`);
}

/** An instant PromQL query. */
export async function promQuery(
  promql: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const { data } = await getJson<{
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  }>(`${PROMETHEUS}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`);
  return data.result;
}

/** What placeOrder sends that must never reach a log or a span. */
export const SECRETS = { password: 'long enough password', card: '4242424242424242' };

/**
 * `POST /api/orders` for one item of `sku`, paid with SECRETS.card, under a new
 * Idempotency-Key; `headers` adds to the request's (a traceparent, a tracestate).
 */
export function postOrder(
  userId: string,
  sku: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${GATEWAY}/api/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
      ...headers,
    },
    body: JSON.stringify({
      userId,
      items: [{ sku, quantity: 1 }],
      card: { number: SECRETS.card, expMonth: 12, expYear: 2030, cvc: '123' },
    }),
  });
}

/**
 * Registers a user (in a trace of its own) and places an order for them under
 * `traceparent`; returns the order's answer, the email, and the registration's trace id.
 */
export async function placeOrder(traceparent: string): Promise<{
  status: number;
  body: Record<string, unknown>;
  email: string;
  registrationTraceId: string;
}> {
  const email = `stack-${crypto.randomUUID()}@example.com`;
  const registration = newTraceparent();
  const user = await fetch(`${GATEWAY}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: registration.traceparent },
    body: JSON.stringify({ email, name: 'Stacy', password: SECRETS.password }),
  });
  const { id: userId } = (await user.json()) as { id: string };
  const response = await postOrder(userId, 'SKU-TEE-001', { traceparent });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    email,
    registrationTraceId: registration.traceId,
  };
}

export interface RangeResult {
  status: string;
  data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/** A panel's query as Grafana sends it: a range query over the last 15 minutes, 15 s steps. */
export async function rangeQuery(expr: string): Promise<RangeResult> {
  const end = Date.now() / 1000;
  const params = new URLSearchParams({
    query: fillGrafanaVariables(expr),
    start: String(end - 900),
    end: String(end),
    step: '15',
  });
  return getJson<RangeResult>(`${PROMETHEUS}/api/v1/query_range?${params.toString()}`);
}

export const hasData = (result: RangeResult) =>
  result.data.result.some((series) => series.values.some(([, v]) => v !== 'NaN'));
