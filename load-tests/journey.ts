/**
 * One user's journey through the gateway, as data and plain functions: sign up, browse the
 * catalog, place an order with an Idempotency-Key (a share of them with a card that is
 * declined), read the order back. Nothing here imports k6, so the very same requests,
 * payloads, tags and checks run in k6 (k6-client.ts) and, against the real services, in
 * `npm test` (test/e2e/load-journey.response.test.ts, through a fetch client).
 */

/** What one step sends. `name` is the low-cardinality tag results are grouped by. */
export interface JourneyRequest {
  name: EndpointName;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What came back, as much of it as the checks read. Header names are lower case. */
export interface JourneyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Checks = Record<string, (response: JourneyResponse) => boolean>;

/**
 * How a load generator sends a request and records checks. k6-client.ts is k6's; the
 * journey test's is Node's fetch.
 */
export interface JourneyClient {
  send(request: JourneyRequest): Promise<JourneyResponse>;
  /** Records each check's outcome under the request's name; true when all passed. */
  check(request: JourneyRequest, response: JourneyResponse, checks: Checks): boolean;
}

/** Every endpoint the journey calls, by the name its results are tagged with. */
export const ENDPOINTS = {
  signUp: 'POST /api/users',
  catalog: 'GET /api/products',
  placeOrder: 'POST /api/orders',
  readOrder: 'GET /api/orders/:id',
  readUser: 'GET /api/users/:id',
} as const;
export type EndpointName = (typeof ENDPOINTS)[keyof typeof ENDPOINTS];

/**
 * The baggage every journey request carries: OpenTelemetry's name for synthetic traffic
 * (`user_agent.synthetic.type`, value `test`). The gateway drops callers' baggage unless its
 * key is listed in BAGGAGE_ALLOWED_KEYS; a load run sets `BAGGAGE_ALLOWED_KEYS=user_agent.synthetic.type`.
 */
export const SYNTHETIC_BAGGAGE = 'user_agent.synthetic.type=test';

/** Card numbers as card networks publish them for tests; the simulated provider declines the second. */
export const CARDS = { ok: '4242424242424242', declined: '4000000000000002' } as const;

/** The share of orders paid with a card that is declined. */
export const DECLINED_SHARE = 0.1;

const hex = (bytes: number, random: () => number): string => {
  let out = '';
  for (let i = 0; i < bytes; i++) {
    out += Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0');
  }
  return out;
};

/**
 * A fresh, sampled W3C `traceparent` for one request. The gateway continues it
 * (TRUST_INBOUND_TRACE_CONTEXT=true, the default), so a slow request's trace id is in the
 * generator's results and leads to its trace in Jaeger.
 */
export function newTraceparent(random: () => number = Math.random): {
  traceparent: string;
  traceId: string;
} {
  let traceId = hex(16, random);
  // All zeros is the one invalid trace id; the odds are nil, but a generator must not send it.
  if (/^0+$/.test(traceId)) traceId = `${traceId.slice(0, 31)}1`;
  const spanId = hex(8, random).replace(/^0{16}$/, '0000000000000001');
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId };
}

function request(
  name: EndpointName,
  method: JourneyRequest['method'],
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): JourneyRequest {
  const headers: Record<string, string> = {
    traceparent: newTraceparent().traceparent,
    baggage: SYNTHETIC_BAGGAGE,
    accept: 'application/json, application/problem+json',
    ...extraHeaders,
  };
  if (body === undefined) return { name, method, path, headers };
  headers['content-type'] = 'application/json';
  return { name, method, path, headers, body: JSON.stringify(body) };
}

function json(response: JourneyResponse): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(response.body);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The trace id in the gateway's `traceresponse` (`00-<trace id>-<span id>-<flags>`). */
export function traceOfResponse(response: JourneyResponse): string | undefined {
  return /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
    response.headers.traceresponse ?? '',
  )?.[1];
}

/** Every request's checks begin with this: the trace the generator started is the one served. */
function continuesTrace(request: JourneyRequest): Checks {
  const sent = /^00-([0-9a-f]{32})-/.exec(request.headers.traceparent ?? '')?.[1];
  return { 'trace continued': (response) => traceOfResponse(response) === sent };
}

async function step(
  client: JourneyClient,
  request: JourneyRequest,
  checks: Checks,
): Promise<{ response: JourneyResponse; ok: boolean }> {
  const response = await client.send(request);
  const ok = client.check(request, response, { ...continuesTrace(request), ...checks });
  return { response, ok };
}

/** What one run of the journey did, for the generator's own bookkeeping and the test. */
export interface JourneyOutcome {
  signedUp: boolean;
  orderId?: string;
  declined?: boolean;
  /** Every check passed. */
  ok: boolean;
}

/**
 * What a virtual user keeps between iterations: the account it signed up with. A real user
 * signs up once and then shops; signing up costs a password hash (scrypt, ~0.15 s of CPU),
 * so a journey that signed up every time would measure little but hashing.
 */
export interface JourneySession {
  userId?: string;
}

export interface JourneyOptions {
  /** Draws whether this order's card is declined, and which items it holds. */
  random?: () => number;
  /** Unique per iteration: the user's email and the order's Idempotency-Key are made from it. */
  uniqueId: string;
}

/**
 * The journey: sign up (a session's first iteration only), browse, order, read the order back.
 * Stops early when a step did not give the next one what it needs.
 */
export async function runJourney(
  client: JourneyClient,
  session: JourneySession,
  { random = Math.random, uniqueId }: JourneyOptions,
): Promise<JourneyOutcome> {
  let signedUp = false;
  let signUpOk = true;
  if (session.userId === undefined) {
    const signUp = await step(
      client,
      request(ENDPOINTS.signUp, 'POST', '/api/users', {
        email: `load-${uniqueId}@example.com`,
        name: 'Load Test',
        password: 'a load test password',
      }),
      {
        'user created (201)': (r) => r.status === 201,
        'user has an id': (r) => typeof json(r).id === 'string',
      },
    );
    const id = json(signUp.response).id;
    if (typeof id !== 'string') return { signedUp, ok: false };
    session.userId = id;
    signedUp = true;
    signUpOk = signUp.ok;
  }
  const userId = session.userId;

  const catalog = await step(client, request(ENDPOINTS.catalog, 'GET', '/api/products'), {
    'catalog read (200)': (r) => r.status === 200,
    'catalog has products': (r) => Array.isArray(json(r).items) && (json(r).items as []).length > 0,
  });
  const products = (json(catalog.response).items ?? []) as { sku?: unknown }[];
  const skus = products.map((p) => p.sku).filter((sku): sku is string => typeof sku === 'string');
  if (skus.length === 0) return { signedUp, ok: false };

  const declined = random() < DECLINED_SHARE;
  const sku = skus[Math.floor(random() * skus.length)] ?? skus[0]!;
  const placed = await step(
    client,
    request(
      ENDPOINTS.placeOrder,
      'POST',
      '/api/orders',
      {
        userId,
        items: [{ sku, quantity: 1 + Math.floor(random() * 3) }],
        card: {
          number: declined ? CARDS.declined : CARDS.ok,
          expMonth: 12,
          expYear: 2035,
          cvc: '123',
        },
      },
      { 'idempotency-key': `load-${uniqueId}` },
    ),
    declined
      ? {
          'declined card refused (402)': (r) => r.status === 402,
          'refusal names the order': (r) => typeof json(r).orderId === 'string',
        }
      : {
          'order placed (201)': (r) => r.status === 201,
          'order is paid': (r) => json(r).status === 'paid',
        },
  );
  const placedBody = json(placed.response);
  const orderId = declined ? placedBody.orderId : placedBody.id;
  if (typeof orderId !== 'string') return { signedUp, declined, ok: false };

  const read = await step(client, request(ENDPOINTS.readOrder, 'GET', `/api/orders/${orderId}`), {
    'order read (200)': (r) => r.status === 200,
    'order is the one placed': (r) => json(r).id === orderId,
    'order holds the user': (r) => json(r).userId === userId,
    'order status as placed': (r) => json(r).status === (declined ? 'payment_declined' : 'paid'),
  });
  return { signedUp, orderId, declined, ok: signUpOk && catalog.ok && placed.ok && read.ok };
}

/**
 * What real clients also do besides the journey: send a request the API refuses, or ask for
 * something that does not exist. Each is checked for the answer the API documents.
 */
export const MISSTEPS = {
  /**
   * An order with no items, with its Idempotency-Key as every order has: 400 problem+json
   * naming the items.
   */
  invalidOrder: 'invalid order',
  /** An order id nobody placed: 404 problem+json. */
  unknownOrder: 'unknown order',
  /** A user id nobody registered: 404 problem+json. */
  unknownUser: 'unknown user',
} as const;
export type Misstep = (typeof MISSTEPS)[keyof typeof MISSTEPS];

/** The share of journeys followed by one misstep (chosen evenly among MISSTEPS). */
export const MISSTEP_SHARE = 0.1;

const problem = (r: JourneyResponse) =>
  (r.headers['content-type'] ?? '').startsWith('application/problem+json');

/** The fields a validation problem names (`errors[].field`). */
const fieldsNamed = (r: JourneyResponse): string[] => {
  const errors = json(r).errors;
  return Array.isArray(errors)
    ? errors
        .map((e) => (e as { field?: unknown }).field)
        .filter((f): f is string => typeof f === 'string')
    : [];
};

/** A random v4 UUID from `random`: an id no record has. */
function unknownId(random: () => number): string {
  const h = hex(16, random).split('');
  h[12] = '4';
  h[16] = '89ab'[Math.floor(random() * 4)]!;
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** One misstep, as a client makes it; `which` picks one, by default drawn from `random`. */
export async function runMisstep(
  client: JourneyClient,
  session: JourneySession,
  { random = Math.random, which }: { random?: () => number; which?: Misstep } = {},
): Promise<{ misstep: Misstep; ok: boolean }> {
  const all = Object.values(MISSTEPS);
  const misstep = which ?? all[Math.floor(random() * all.length)] ?? MISSTEPS.invalidOrder;
  if (misstep === MISSTEPS.invalidOrder) {
    const { ok } = await step(
      client,
      request(
        ENDPOINTS.placeOrder,
        'POST',
        '/api/orders',
        { userId: session.userId, items: [] },
        { 'idempotency-key': `misstep-${unknownId(random)}` },
      ),
      {
        'invalid order refused (400)': (r) => r.status === 400,
        'refusal is a problem': problem,
        'refusal names items': (r) => fieldsNamed(r).includes('items'),
      },
    );
    return { misstep, ok };
  }
  const unknown =
    misstep === MISSTEPS.unknownOrder
      ? request(ENDPOINTS.readOrder, 'GET', `/api/orders/${unknownId(random)}`)
      : request(ENDPOINTS.readUser, 'GET', `/api/users/${unknownId(random)}`);
  const { ok } = await step(client, unknown, {
    'unknown id not found (404)': (r) => r.status === 404,
    'not found is a problem': problem,
  });
  return { misstep, ok };
}
