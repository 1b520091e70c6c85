/**
 * `npm run chaos -- [--minutes N] [--seed S]`: customers shop through the gateway while, at
 * moments drawn from the seed, a service or PostgreSQL is killed (SIGKILL) and started again,
 * a service is paused (SIGSTOP, then SIGCONT), or a payment fault is switched on for a while.
 * Then every process is healed, the reconciler is given time to settle every order, and the
 * invariants of infra/chaos/invariants.ts are checked from the databases. Prints what was
 * done and each invariant with its count; exits 1 on any violation. The same seed replays the
 * same schedule of harms (the timing of a real system still differs run to run).
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SERVICES, type ServiceName } from '../dev/services.ts';
import { ROOT } from '../stack/pins.ts';
import { Cluster } from './cluster.ts';
import { Customers } from './customers.ts';
import { checkInvariants, documentedAnswers, pendingOrders } from './invariants.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    customers: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const customerCount = Number(values.customers);
if (!(minutes > 0) || !Number.isInteger(seed) || !(customerCount >= 1)) {
  console.error(
    'usage: npm run chaos -- [--minutes N (5)] [--seed S (random)] [--customers C (4)] [--keep]',
  );
  process.exit(2);
}

/** mulberry32: a small, fast generator whose whole sequence follows from the seed. */
function seeded(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// Two sequences from one seed: the harms' own, which nothing else draws from, so a seed
// replays the same schedule; and the customers', which they share in whatever order they run.
const random = seeded(seed);
const customersRandom = seeded(seed ^ 0x5eed);
const between = (low: number, high: number) => low + random() * (high - low);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * The run's own settings: a short payment deadline and a fast reconciler, so that every order
 * a customer gave up on is settled minutes after the run, not a day; and a rate limit that
 * the customers (all from one address) do not reach.
 */
const PAYMENT_DEADLINE_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'sightline-chaos-'));
const say = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

say(`chaos run: seed ${seed}, ${minutes} min, ${customerCount} customers; logs in ${dir}/logs`);
const cluster = await Cluster.start({
  dir,
  env: {
    'api-gateway': { RATE_LIMIT_MAX: '1000000' },
    'order-service': {
      RECONCILE_INTERVAL_MS: '1000',
      PAYMENT_DEADLINE_MS: String(PAYMENT_DEADLINE_MS),
    },
    'payment-service': { PROCESSING_TIMEOUT_MS: '15000' },
  },
});

const injected = new Map<string, number>();
const count = (what: string) => injected.set(what, (injected.get(what) ?? 0) + 1);

/** Switches a fault on at the service that owns it, for `seconds`; false if it did not answer. */
async function fault(service: ServiceName, name: string, options: Record<string, unknown>) {
  try {
    const response = await fetch(`${cluster.url(service)}/admin/faults/${name}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${cluster.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(options),
      signal: AbortSignal.timeout(2_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

const services = SERVICES.map((service) => service.name);
const SKUS = ['SKU-TEE-001', 'SKU-MUG-002', 'SKU-STK-003', 'SKU-HOD-004', 'SKU-CAP-005'];

/** One harm, drawn from the seed, done and undone. */
async function harm(): Promise<void> {
  const kind = pick(['kill', 'kill', 'killPostgres', 'pause', 'fault', 'fault']);
  if (kind === 'kill') {
    const service = pick(services);
    say(`kill -9 ${service}`);
    await cluster.kill(service);
    count(`killed ${service}`);
    await sleep(between(500, 4_000));
    await cluster.startService(service);
  } else if (kind === 'killPostgres') {
    say('kill -9 postgres');
    cluster.killPostgres();
    count('killed postgres');
    await sleep(between(500, 3_000));
    await cluster.restartPostgres();
  } else if (kind === 'pause') {
    const service = pick(services);
    say(`pause ${service}`);
    cluster.pause(service);
    count(`paused ${service}`);
    await sleep(between(1_000, 6_000));
    cluster.resume(service);
  } else {
    const seconds = Math.round(between(5, 20));
    const which = pick(['paymentFailure', 'paymentGatewayTimeout', 'paymentUnreachable']);
    const [service, options] =
      which === 'paymentFailure'
        ? (['payment-service', { percent: 50 }] as const)
        : which === 'paymentGatewayTimeout'
          ? (['payment-service', { sku: pick(SKUS), delayMs: 3_000 }] as const)
          : (['order-service', {}] as const);
    say(`fault ${which} for ${seconds}s`);
    if (await fault(service, which, { ...options, for: `${seconds}s` })) count(`fault ${which}`);
    await sleep(seconds * 1000);
  }
}

const customers = new Customers({
  gateway: cluster.url('api-gateway'),
  count: customerCount,
  random: customersRandom,
  runId: `${seed}-${Date.now().toString(36)}`,
});
let violations = 0;
try {
  await customers.start();
  const end = Date.now() + minutes * 60_000;
  while (Date.now() < end) {
    await sleep(between(2_000, 8_000));
    if (Date.now() < end) await harm();
  }
  say('chaos over: customers finish their last orders');
  await cluster.heal();
  await customers.stop();

  // Orders a customer gave up on wait for their deadline; then the reconciler cancels them.
  say(
    `waiting for the reconciler to settle every pending order (deadline ${PAYMENT_DEADLINE_MS / 1000}s)`,
  );
  const ordersUrl = cluster.databaseUrl('orders');
  const settleBy = Date.now() + PAYMENT_DEADLINE_MS + 90_000;
  while (Date.now() < settleBy && (await pendingOrders(ordersUrl)) > 0) await sleep(1_000);

  const invariants = await checkInvariants({
    ordersUrl,
    paymentsUrl: cluster.databaseUrl('payments'),
    paymentDeadlineMs: PAYMENT_DEADLINE_MS,
    intents: customers.intents,
    answers: customers.answers,
    documented: documentedAnswers(join(ROOT, 'services/api-gateway/openapi.json')),
  });

  const statuses = new Map<number, number>();
  for (const answer of customers.answers)
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  console.log('');
  console.log(`| seed ${seed}, ${minutes} min | count |`);
  console.log('|---|---:|');
  console.log(`| journeys | ${customers.journeys} |`);
  console.log(`| orders meant | ${customers.intents.length} |`);
  console.log(`| requests sent | ${customers.answers.length} |`);
  for (const [status, times] of [...statuses].sort(([a], [b]) => a - b))
    console.log(`| answered ${status === 0 ? 'nothing (connection failed)' : status} | ${times} |`);
  for (const [what, times] of [...injected].sort()) console.log(`| ${what} | ${times} |`);
  console.log('');
  console.log('| invariant | checked | violations |');
  console.log('|---|---:|---:|');
  for (const invariant of invariants) {
    console.log(`| ${invariant.name} | ${invariant.checked} | ${invariant.violations.length} |`);
    violations += invariant.violations.length;
  }
  for (const invariant of invariants)
    for (const violation of invariant.violations.slice(0, 20))
      console.log(`VIOLATION ${invariant.name}: ${violation}`);
  console.log('');
  say(violations === 0 ? 'every invariant held' : `${violations} violations`);
} finally {
  await cluster.stop();
  if (!values.keep && violations === 0) rmSync(dir, { recursive: true, force: true });
}
process.exit(violations === 0 ? 0 : 1);
