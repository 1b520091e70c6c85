/**
 * Customers for the chaos run: each signs up once, then browses and orders through the
 * gateway until told to stop, as a careful client would: every order has its own
 * Idempotency-Key, and an order that got no final answer (a 5xx, a 429, no answer at all) is
 * sent again with the same key, a few times, waiting longer each time. What each customer was
 * told is kept, so the run can check it against what the databases say afterwards.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CARDS } from '../../load-tests/journey.ts';

/** One answer a client got (status 0: none, the connection failed or timed out). */
export interface Answer {
  operation: string;
  status: number;
}

/** What a customer was last told about an order it meant to place. */
export interface OrderIntent {
  idempotencyKey: string;
  userId: string;
  /** The order's id, when an answer named it. */
  orderId?: string;
  /** The last answer's status (0: none); `paid` when a 201 said so. */
  lastStatus: number;
  paid: boolean;
  declined: boolean;
  tries: number;
}

export interface CustomerOptions {
  gateway: string;
  count: number;
  /** The run's random numbers, so a seed replays the same customers. */
  random: () => number;
  /** Tells the customers which run they are in: keys and emails are unique per run. */
  runId: string;
}

/** A final answer to an order: nothing is gained by sending it again. */
const FINAL = new Set([201, 400, 402, 409, 422]);
const TRIES = 6;
const REQUEST_TIMEOUT_MS = 10_000;

export class Customers {
  readonly answers: Answer[] = [];
  readonly intents: OrderIntent[] = [];
  journeys = 0;
  private readonly options: CustomerOptions;
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(options: CustomerOptions) {
    this.options = options;
  }

  /** Signs every customer up (retrying until it works), then lets them shop. */
  async start(): Promise<void> {
    const users: string[] = [];
    for (let n = 0; n < this.options.count; n++) users.push(await this.signUp(n));
    this.running = users.map((userId) => this.shop(userId));
  }

  /** Lets each customer finish the order it is placing (with its retries), then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  private async send(
    operation: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    try {
      const response = await fetch(`${this.options.gateway}${path}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : null,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      this.answers.push({ operation, status: response.status });
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = {};
      }
      return {
        status: response.status,
        body:
          parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {},
      };
    } catch {
      this.answers.push({ operation, status: 0 });
      return { status: 0, body: {} };
    }
  }

  private async signUp(n: number): Promise<string> {
    for (;;) {
      const { status, body } = await this.send('POST /api/users', 'POST', '/api/users', {
        email: `chaos-${this.options.runId}-${n}@example.com`,
        name: 'Chaos Customer',
        password: 'a chaos customer password',
      });
      if (status === 201 && typeof body.id === 'string') return body.id;
      await sleep(500);
    }
  }

  private async shop(userId: string): Promise<void> {
    const { random } = this.options;
    while (!this.stopping) {
      const catalog = await this.send('GET /api/products', 'GET', '/api/products');
      const items = Array.isArray(catalog.body.items)
        ? (catalog.body.items as { sku: string }[])
        : [];
      if (catalog.status !== 200 || items.length === 0) {
        await sleep(500);
        continue;
      }
      const sku = items[Math.floor(random() * items.length)]!.sku;
      const declined = random() < 0.1;
      await this.order(userId, sku, 1 + Math.floor(random() * 3), declined);
      this.journeys++;
      await sleep(100 + random() * 400);
    }
  }

  private async order(userId: string, sku: string, quantity: number, declined: boolean) {
    const intent: OrderIntent = {
      idempotencyKey: `chaos-${this.options.runId}-${this.intents.length}`,
      userId,
      lastStatus: 0,
      paid: false,
      declined: false,
      tries: 0,
    };
    this.intents.push(intent);
    const body = {
      userId,
      items: [{ sku, quantity }],
      card: {
        number: declined ? CARDS.declined : CARDS.ok,
        expMonth: 12,
        expYear: 2035,
        cvc: '123',
      },
    };
    for (let wait = 500; intent.tries < TRIES; wait *= 2) {
      intent.tries++;
      const answer = await this.send('POST /api/orders', 'POST', '/api/orders', body, {
        'idempotency-key': intent.idempotencyKey,
      });
      intent.lastStatus = answer.status;
      const orderId = answer.body.id ?? answer.body.orderId;
      if (typeof orderId === 'string') intent.orderId = orderId;
      intent.paid = answer.status === 201 && answer.body.status === 'paid';
      intent.declined = answer.status === 402;
      if (FINAL.has(answer.status)) return;
      await sleep(wait);
    }
  }
}
