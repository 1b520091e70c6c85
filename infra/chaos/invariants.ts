/**
 * What must hold after any chaos, checked from the databases once the reconciler is done:
 * money moved once, every order ended, and every customer was told the truth.
 */
import { readFileSync } from 'node:fs';
import { queryDatabase } from '../dev/query.ts';
import type { Answer, OrderIntent } from './customers.ts';

export interface Invariant {
  name: string;
  /** How many things (orders, payments, answers) were checked. */
  checked: number;
  /** Each thing that broke it, described. */
  violations: string[];
}

interface OrderRow {
  id: string;
  status: string;
  total_cents: number;
  currency: string;
  payment_id: string | null;
  idempotency_key: string | null;
  past_deadline: boolean;
}

interface LedgerRow {
  idempotency_key: string;
  amount_cents: number;
  currency: string;
}

interface PaymentRow {
  id: string;
  order_id: string;
  amount_cents: number;
  currency: string;
  status: string;
}

/** The statuses the OpenAPI document gives each operation, e.g. `POST /api/orders` → 201, 400… */
export function documentedAnswers(openapiPath: string): Map<string, Set<number>> {
  const document = JSON.parse(readFileSync(openapiPath, 'utf8')) as {
    paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  };
  const answers = new Map<string, Set<number>>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!operation.responses) continue;
      answers.set(
        `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, ':id')}`,
        new Set(Object.keys(operation.responses).map(Number)),
      );
    }
  }
  return answers;
}

export interface Evidence {
  ordersUrl: string;
  paymentsUrl: string;
  /** How long a retryable order may stay pending, as order-service was told. */
  paymentDeadlineMs: number;
  intents: OrderIntent[];
  answers: Answer[];
  documented: Map<string, Set<number>>;
}

/** Orders still pending: the run waits for none to be left before it checks. */
export async function pendingOrders(ordersUrl: string): Promise<number> {
  const [row] = await queryDatabase<{ count: number }>(
    ordersUrl,
    `select count(*)::int as count from orders where status = 'pending'`,
  );
  return row?.count ?? 0;
}

export async function checkInvariants(evidence: Evidence): Promise<Invariant[]> {
  const orders = await queryDatabase<OrderRow>(
    evidence.ordersUrl,
    `select id, status, total_cents, currency, payment_id, idempotency_key,
            created_at + $1 * interval '1 millisecond' < now() as past_deadline
       from orders`,
    [evidence.paymentDeadlineMs],
  );
  const payments = await queryDatabase<PaymentRow>(
    evidence.paymentsUrl,
    `select id, order_id, amount_cents, currency, status from payments`,
  );
  // The simulated card provider's own books (payment-service's migration 003): its charges.
  const ledger = await queryDatabase<LedgerRow>(
    evidence.paymentsUrl,
    `select idempotency_key, amount_cents, currency from card_provider_ledger
      where outcome = 'charged'`,
  );
  const succeeded = new Map<string, PaymentRow[]>();
  for (const payment of payments.filter((p) => p.status === 'succeeded')) {
    succeeded.set(payment.order_id, [...(succeeded.get(payment.order_id) ?? []), payment]);
  }
  const ordersById = new Map(orders.map((order) => [order.id, order]));
  const ordersByKey = new Map(orders.map((order) => [order.idempotency_key, order]));

  const paidOnce: Invariant = {
    name: 'a paid order has exactly one successful payment, of its amount and currency',
    checked: 0,
    violations: [],
  };
  const unpaidUncharged: Invariant = {
    name: 'a declined or cancelled order has no successful payment',
    checked: 0,
    violations: [],
  };
  const noneLeftPending: Invariant = {
    name: 'no order is left pending past its deadline',
    checked: orders.length,
    violations: [],
  };
  for (const order of orders) {
    const charges = succeeded.get(order.id) ?? [];
    if (order.status === 'paid') {
      paidOnce.checked++;
      const [charge] = charges;
      if (charges.length !== 1)
        paidOnce.violations.push(`order ${order.id}: ${charges.length} successful payments`);
      else if (charge!.id !== order.payment_id)
        paidOnce.violations.push(
          `order ${order.id}: paid by ${order.payment_id}, charged by ${charge!.id}`,
        );
      else if (charge!.amount_cents !== order.total_cents || charge!.currency !== order.currency)
        paidOnce.violations.push(
          `order ${order.id}: ${order.total_cents} ${order.currency}, charged ${charge!.amount_cents} ${charge!.currency}`,
        );
    } else if (order.status === 'payment_declined' || order.status === 'cancelled') {
      unpaidUncharged.checked++;
      if (charges.length > 0)
        unpaidUncharged.violations.push(`order ${order.id} is ${order.status} but was charged`);
    } else if (order.status === 'pending' && order.past_deadline) {
      noneLeftPending.violations.push(`order ${order.id} is still pending`);
    }
  }

  const chargedOrdersExist: Invariant = {
    name: 'every successful payment is for an order that exists',
    checked: [...succeeded.values()].flat().length,
    violations: [...succeeded.keys()]
      .filter((orderId) => !ordersById.has(orderId))
      .map((orderId) => `payment for unknown order ${orderId}`),
  };

  // payment-service charges an order under the key `order-<order id>`.
  const charge = (orderId: string, amountCents: number, currency: string) =>
    `order-${orderId} ${amountCents} ${currency}`;
  const atProvider = ledger.map(
    (row) => `${row.idempotency_key} ${row.amount_cents} ${row.currency}`,
  );
  const recorded = [...succeeded.values()]
    .flat()
    .map((p) => charge(p.order_id, p.amount_cents, p.currency));
  const ledgerMatches: Invariant = {
    name: "the card provider's charges are the successful payments, one for one",
    checked: atProvider.length,
    violations: [
      ...atProvider
        .filter((c) => !recorded.includes(c))
        .map((c) => `charged at the provider, no successful payment: ${c}`),
      ...recorded
        .filter((c) => !atProvider.includes(c))
        .map((c) => `a successful payment the provider never charged: ${c}`),
    ],
  };

  const toldTheTruth: Invariant = {
    name: 'a customer told "paid" (201) or "declined" (402) finds the order so',
    checked: 0,
    violations: [],
  };
  const oncePerIntent: Invariant = {
    name: 'a customer is charged at most once per order it meant to place',
    checked: evidence.intents.length,
    violations: [],
  };
  for (const intent of evidence.intents) {
    const order = ordersByKey.get(intent.idempotencyKey);
    const charges = order ? (succeeded.get(order.id) ?? []).length : 0;
    if (charges > 1)
      oncePerIntent.violations.push(`${intent.idempotencyKey}: charged ${charges} times`);
    if (!intent.paid && !intent.declined) continue;
    toldTheTruth.checked++;
    const expected = intent.paid ? 'paid' : 'payment_declined';
    if (order?.status !== expected)
      toldTheTruth.violations.push(
        `${intent.idempotencyKey}: told ${expected}, the order is ${order?.status ?? 'missing'}`,
      );
  }

  const documentedOnly: Invariant = {
    name: 'every answer a customer got is one the API documents',
    checked: evidence.answers.filter((answer) => answer.status !== 0).length,
    violations: [],
  };
  const undocumented = new Map<string, number>();
  for (const answer of evidence.answers) {
    if (answer.status === 0) continue;
    if (evidence.documented.get(answer.operation)?.has(answer.status)) continue;
    const what = `${answer.operation} ${answer.status}`;
    undocumented.set(what, (undocumented.get(what) ?? 0) + 1);
  }
  for (const [what, times] of undocumented) documentedOnly.violations.push(`${what} (${times}×)`);

  const all = [
    paidOnce,
    unpaidUncharged,
    noneLeftPending,
    chargedOrdersExist,
    ledgerMatches,
    oncePerIntent,
    toldTheTruth,
    documentedOnly,
  ];
  for (const invariant of all) invariant.violations.sort();
  return all;
}
