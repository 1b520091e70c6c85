/**
 * Traffic through the gateway that looks like a day of real use, errors included, for the
 * dashboards' stack test and `npm run bench:dashboards`: sign-ups, catalog reads, paid
 * orders, declined cards, bad input, unknown ids, and a client that hangs up early.
 */
const CARDS = {
  ok: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
};

/** Every order carries an Idempotency-Key; each of these is a new order, so a new key. */
const newKey = () => ({ 'idempotency-key': `traffic-${crypto.randomUUID()}` });

export class Traffic {
  private readonly gateway: string;
  constructor(gateway: string) {
    this.gateway = gateway;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<number> {
    const response = await fetch(`${this.gateway}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  }

  async newUser(): Promise<string> {
    const response = await fetch(`${this.gateway}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `traffic-${crypto.randomUUID()}@example.com`,
        name: 'Traffic',
        password: 'long enough password',
      }),
    });
    if (response.status !== 201) throw new Error(`sign-up answered ${response.status}`);
    return ((await response.json()) as { id: string }).id;
  }

  /** An order of one T-shirt, a new one each time; with `traceparent`, in the caller's trace. */
  order(userId: string, card: keyof typeof CARDS = 'ok', traceparent?: string): Promise<number> {
    return this.send(
      'POST',
      '/api/orders',
      {
        userId,
        items: [{ sku: 'SKU-TEE-001', quantity: 1 }],
        card: { number: CARDS[card], expMonth: 12, expYear: 2030, cvc: '123' },
      },
      { ...newKey(), ...(traceparent ? { traceparent } : {}) },
    );
  }

  products(): Promise<number> {
    return this.send('GET', '/api/products');
  }

  /** One round of everything a user does, good and bad; returns the statuses seen. */
  async round(userId: string): Promise<number[]> {
    return [
      await this.products(),
      await this.order(userId),
      await this.order(userId, 'declined'),
      await this.order(userId, 'insufficientFunds'),
      await this.send('GET', `/api/users/${userId}`),
      await this.send('GET', `/api/orders?userId=${userId}`),
      await this.send('GET', `/api/users/${crypto.randomUUID()}`),
      await this.send('POST', '/api/orders', { userId, items: [] }, newKey()),
    ];
  }

  /** A client that gives up on an order before the payment provider answers. */
  async abandonedOrder(userId: string): Promise<void> {
    await fetch(`${this.gateway}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...newKey() },
      body: JSON.stringify({
        userId,
        items: [{ sku: 'SKU-TEE-001', quantity: 1 }],
        card: { number: CARDS.ok, expMonth: 12, expYear: 2030, cvc: '123' },
      }),
      signal: AbortSignal.timeout(20),
    }).catch(() => {});
  }

  /** A payment looked up while payment-service is away: the gateway cannot pass it on. */
  paymentLookup(): Promise<number> {
    return this.send('GET', `/api/payments/${crypto.randomUUID()}`);
  }
}
