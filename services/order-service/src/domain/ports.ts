import type { Card, Order, OrderLine, Product } from './order.ts';

/** What order-service needs from user-service. */
export interface UserDirectory {
  exists(userId: string): Promise<boolean>;
}

export type ChargeOutcome =
  | { outcome: 'succeeded'; paymentId: string }
  | { outcome: 'declined'; paymentId: string; reason: string };

/** One attempt to pay an order, as payment-service recorded it. */
export interface PaymentAttempt {
  paymentId: string;
  status: 'processing' | 'succeeded' | 'declined' | 'abandoned';
  declineReason: string | null;
  /** What the attempt charged (or asked to), in the currency's minor unit. */
  amountCents: number;
  currency: string;
}

/** What order-service needs from payment-service. */
export interface PaymentGateway {
  charge(request: {
    orderId: string;
    amountCents: number;
    currency: string;
    card: Card;
    skus: string[];
  }): Promise<ChargeOutcome>;
  /** Every attempt to pay the order, oldest first. */
  attemptsFor(orderId: string): Promise<PaymentAttempt[]>;
}

export interface Catalog {
  list(): Promise<Product[]>;
  findBySkus(skus: string[]): Promise<Product[]>;
}

export interface NewOrderRecord {
  userId: string;
  items: OrderLine[];
  totalCents: number;
  currency: string;
  idempotencyKey: string | undefined;
  requestFingerprint: string;
}

export interface PendingOrder {
  id: string;
  createdAt: Date;
  /** It has an Idempotency-Key, so the client can still retry it with its card. */
  retryable: boolean;
}

export type Settlement =
  | { status: 'paid' | 'payment_declined'; paymentId: string }
  | { status: 'cancelled'; paymentId: null };

export interface OrderRepository {
  /**
   * Inserts a pending order. With an idempotency key that is already taken, inserts nothing
   * and returns `undefined`.
   */
  create(order: NewOrderRecord): Promise<Order | undefined>;
  findById(id: string): Promise<Order | undefined>;
  findByIdempotencyKey(
    key: string,
  ): Promise<{ order: Order; requestFingerprint: string } | undefined>;
  listByUser(userId: string): Promise<Order[]>;
  /**
   * Gives a pending order its final status; only `paid` may also replace `payment_declined`
   * or `cancelled` (money taken is never ignored). Returns the order as it now stands, and
   * whether this call changed it.
   */
  settle(id: string, settlement: Settlement): Promise<{ order: Order; changed: boolean }>;
  /** Pending orders created before `createdBefore`, oldest first. */
  listPending(createdBefore: Date, limit: number): Promise<PendingOrder[]>;
  /** Orders cancelled unpaid at or after `since`, oldest cancellation first. */
  listCancelledSince(since: Date, limit: number): Promise<PendingOrder[]>;
  /** How many orders are pending, and when the oldest of them was created. */
  pendingSummary(): Promise<{ count: number; oldestCreatedAt: Date | undefined }>;
}
