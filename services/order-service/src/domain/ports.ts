import type { Card } from '@sightline/cards';
import type { Order, OrderLine, Product } from './order.ts';

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
  /** Unique per user: the same key from two users is two orders. */
  idempotencyKey: string;
  requestFingerprint: string;
}

export interface PendingOrder {
  id: string;
  createdAt: Date;
  /**
   * It has an Idempotency-Key, so the client can still retry it with its card. Every order
   * placed since the key became required has one; older orders may not.
   */
  retryable: boolean;
  /** How often the reconciler has looked at it without settling it (since its last status). */
  checks: number;
}

/**
 * Where a paged list stopped: the sort key of the last row it gave, a time and the order's id
 * (ids break ties between orders placed at the same instant). `at` is the database's own time,
 * to the microsecond, as ISO 8601 text: a Date keeps only milliseconds, and a page resumed from
 * one would read rows again or skip them.
 */
export interface ListPosition {
  at: string;
  id: string;
}

/** One page of a list, and where the next one starts (none after the last page). */
export interface Page<T> {
  items: T[];
  next: ListPosition | undefined;
}

/** How much of a list to read: at most `limit` rows, after `after` (from the start without). */
export interface PageRequest {
  limit: number;
  after?: ListPosition | undefined;
}

export type Settlement =
  | { status: 'paid' | 'payment_declined'; paymentId: string }
  | { status: 'cancelled'; paymentId: null };

export interface OrderRepository {
  /**
   * Inserts a pending order. When its user already has an order with this idempotency key,
   * inserts nothing and returns `undefined`.
   */
  create(order: NewOrderRecord): Promise<Order | undefined>;
  findById(id: string): Promise<Order | undefined>;
  /** The user's order placed with this idempotency key, and what it was asked for. */
  findByIdempotencyKey(
    userId: string,
    key: string,
  ): Promise<{ order: Order; requestFingerprint: string } | undefined>;
  /** A user's orders, newest first (ties by id, descending). */
  listByUser(userId: string, page: PageRequest): Promise<Page<Order>>;
  /**
   * Gives a pending order its final status; only `paid` may also replace `payment_declined`
   * or `cancelled` (money taken is never ignored). Returns the order as it now stands, and
   * whether this call changed it.
   */
  settle(id: string, settlement: Settlement): Promise<{ order: Order; changed: boolean }>;
  /**
   * Pending orders created before `createdBefore` and due for a look at `now` (see `postpone`),
   * oldest first (ties by id).
   */
  listPending(createdBefore: Date, now: Date, page: PageRequest): Promise<Page<PendingOrder>>;
  /**
   * Orders cancelled unpaid at or after `since` and due for a look at `now`, oldest
   * cancellation first (ties by id).
   */
  listCancelledSince(since: Date, now: Date, page: PageRequest): Promise<Page<PendingOrder>>;
  /** Counts a look at an order that left it as it was, and hides it from the lists until `until`. */
  postpone(id: string, until: Date): Promise<void>;
  /** How many orders are pending, and when the oldest of them was created. */
  pendingSummary(): Promise<{ count: number; oldestCreatedAt: Date | undefined }>;
}
