/**
 * The `traffic` service: customers, so a fresh stack is never silent. It runs the journey of
 * load-tests/journey.ts (sign up once per customer, browse, order (a share declined), read
 * the order back) through the same fetch client as the journey test, and after a share of
 * journeys one misstep a real client makes (an invalid order, an unknown order or user id).
 * Every request carries its own sampled traceparent and the synthetic-traffic baggage
 * (`user_agent.synthetic.type=test`).
 *
 *   TARGET_URL      the gateway (default http://127.0.0.1:8080)
 *   TRAFFIC_RATE    journeys started per second (default 1; 0 turns the traffic off)
 *   TRAFFIC_USERS   how many customers take turns (default 5; each signs up once)
 *
 * `docker compose up` starts it as the `traffic` service, `npm run stack` as a process of
 * its own; both pass TRAFFIC_RATE through. Once a minute it logs one line of what it sent and
 * what came back, by answer.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  MISSTEP_SHARE,
  runJourney,
  runMisstep,
  type JourneySession,
} from '../../load-tests/journey.ts';
import { fetchClient } from './fetch-client.ts';

const config = z
  .object({
    TARGET_URL: z.url().default('http://127.0.0.1:8080'),
    TRAFFIC_RATE: z.coerce.number().min(0).max(50).default(1),
    TRAFFIC_USERS: z.coerce.number().int().min(1).max(100).default(5),
  })
  .parse(process.env);

/** At most this many journeys in flight: a slow stack gets fewer journeys, not a pile-up. */
const MAX_IN_FLIGHT = 10;

const log = (fields: Record<string, unknown>) =>
  console.log(
    JSON.stringify({ time: new Date().toISOString(), 'service.name': 'traffic', ...fields }),
  );

if (config.TRAFFIC_RATE === 0) {
  log({ level: 'info', msg: 'traffic off (TRAFFIC_RATE=0)' });
  process.exit(0);
}

const target = config.TARGET_URL.replace(/\/$/, '');
const sessions: JourneySession[] = Array.from({ length: config.TRAFFIC_USERS }, () => ({}));
/** Requests sent since start, by endpoint and answer (`POST /api/orders 201`). */
const answers = new Map<string, number>();
const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1);
let journeys = 0;
let failedChecks = 0;
let skipped = 0;
let inFlight = 0;
let stopping = false;
/**
 * Customers whose sign-up is under way. A customer signs up once: its next turns wait for that
 * answer rather than each sending a sign-up of its own (a password hash apiece).
 */
const signingUp = new Set<JourneySession>();

/** One customer's visit: the journey, sometimes a misstep; every answer counted. */
async function visit(session: JourneySession): Promise<void> {
  const client = fetchClient(target);
  const send = client.send.bind(client);
  client.send = async (request) => {
    try {
      const response = await send(request);
      count(`${request.name} ${response.status}`);
      return response;
    } catch (error) {
      // The gateway is restarting, or a drill made it slow: a customer gives up and comes back.
      count(`${request.name} no answer`);
      throw error;
    }
  };
  inFlight++;
  if (!session.userId) signingUp.add(session);
  try {
    await runJourney(client, session, { uniqueId: randomUUID() });
    if (session.userId && Math.random() < MISSTEP_SHARE) await runMisstep(client, session);
    journeys++;
  } catch {
    // Counted above; the next visit tries again.
  } finally {
    failedChecks += client.checks.filter((c) => !c.passed).length;
    signingUp.delete(session);
    inFlight--;
  }
}

const report = setInterval(() => {
  log({
    level: 'info',
    msg: 'traffic sent',
    journeys,
    failed_checks: failedChecks,
    skipped,
    requests: Object.fromEntries(answers),
  });
}, 60_000);

const stop = () => {
  stopping = true;
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

log({
  level: 'info',
  msg: 'traffic on',
  target: config.TARGET_URL,
  rate: config.TRAFFIC_RATE,
  users: config.TRAFFIC_USERS,
});
const interval = 1000 / config.TRAFFIC_RATE;
const running = new Set<Promise<void>>();
for (let turn = 0; !stopping; turn++) {
  const session = sessions[turn % sessions.length]!;
  if (inFlight >= MAX_IN_FLIGHT || signingUp.has(session)) skipped++;
  else {
    const journey = visit(session);
    running.add(journey);
    void journey.finally(() => running.delete(journey));
  }
  await sleep(interval);
}
clearInterval(report);
// Journeys in flight may finish, but not hold up a `docker compose stop` (10 s by default).
await Promise.race([Promise.all(running), sleep(5_000)]);
log({ level: 'info', msg: 'traffic stopped', journeys });
