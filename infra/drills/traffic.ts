/**
 * Customers, for a drill: one registered user who keeps ordering a T-shirt through the
 * gateway, a few orders at a time, until told to stop. Each order is a new one, with an
 * Idempotency-Key of its own; a customer whose order failed orders anew rather than retrying.
 * Each order is a trace of its own marked for keeping (`tracestate: sightline=keep`), so the
 * collector's production sampling profile keeps a drill's traces (docs/sampling.md).
 */
import { DEFAULT_PORTS } from '../dev/services.ts';

const GATEWAY = `http://127.0.0.1:${DEFAULT_PORTS['api-gateway']}`;
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

export interface Traffic {
  /** Answers so far, by status code. */
  answers: Map<number, number>;
  stop(): Promise<void>;
}

async function registerCustomer(): Promise<string> {
  const response = await fetch(`${GATEWAY}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `drill-${crypto.randomUUID()}@example.com`,
      name: 'Drill Customer',
      password: 'a drill customer password',
    }),
  });
  if (!response.ok) throw new Error(`registering a customer: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** A new sampled trace, marked so the production sampling profile keeps it. */
function keptTraceHeaders(): Record<string, string> {
  const hex = (bytes: number) =>
    Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
  return { traceparent: `00-${hex(16)}-${hex(8)}-01`, tracestate: 'sightline=keep' };
}

/**
 * Starts `concurrency` customers ordering one after another until `stop()`; each waits
 * `pauseMs` between its orders (0: as fast as the system answers).
 */
export async function startTraffic(concurrency: number, pauseMs = 0): Promise<Traffic> {
  const userId = await registerCustomer();
  const answers = new Map<number, number>();
  let stopping = false;
  const order = async () => {
    try {
      const response = await fetch(`${GATEWAY}/api/orders`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `drill-${crypto.randomUUID()}`,
          ...keptTraceHeaders(),
        },
        body: JSON.stringify({ userId, items: [{ sku: 'SKU-TEE-001', quantity: 1 }], card: CARD }),
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
    } catch {
      answers.set(0, (answers.get(0) ?? 0) + 1);
    }
  };
  const customer = async () => {
    while (!stopping) {
      await order();
      if (pauseMs > 0 && !stopping) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const customers = Array.from({ length: concurrency }, customer);
  return {
    answers,
    async stop() {
      stopping = true;
      await Promise.all(customers);
    },
  };
}
