import type { Card } from '@sightline/cards';
import type { Payment } from './payment.ts';

export interface Authorization {
  approved: boolean;
  declineReason?: string;
}

/** One charge, as payment-service asks the card provider for it. */
export interface ChargeInstruction {
  /**
   * The provider's idempotency key: every call with the same key charges at most once, and
   * gets the first call's outcome. payment-service derives it from the order, so every retry
   * of an order's charge, whichever attempt makes it, carries the same key.
   */
  idempotencyKey: string;
  /** Our own reference the provider keeps with the charge: the attempt that asked. */
  reference: string;
  card: Card;
  amountCents: number;
  currency: string;
  /** Line-item data: SKUs only. */
  skus: string[];
}

/** What the provider did with the charge under one idempotency key. */
export type ChargeRecord =
  | { state: 'charged'; reference: string }
  | { state: 'declined'; reference: string; declineReason: string | null }
  /** The provider never charged (nor declined) anything under the key. */
  | { state: 'unknown' };

/** What payment-service needs from a card provider. */
export interface CardProvider {
  /**
   * Charges the card once per idempotency key. A timeout or a failure may come before the
   * card was charged or after: only `lookup` can say which.
   */
  charge(instruction: ChargeInstruction): Promise<Authorization>;
  /** What happened to the charge with this idempotency key. */
  lookup(idempotencyKey: string): Promise<ChargeRecord>;
}

/** What payment-service needs from order-service: what the order costs, as it was stored. */
export interface OrderBook {
  /** The order's total and currency, or `undefined` when there is no such order. */
  find(orderId: string): Promise<{ totalCents: number; currency: string } | undefined>;
}

export interface NewAttempt {
  orderId: string;
  amountCents: number;
  currency: string;
  card: Payment['card'];
}

export interface PaymentRepository {
  /**
   * Records a `processing` attempt, unless the order already has a live one (`processing` or
   * `succeeded`); then records nothing and returns `undefined`.
   */
  startAttempt(attempt: NewAttempt): Promise<Payment | undefined>;
  /**
   * Records the provider's answer on an attempt waiting for it (`processing`) or given up on
   * (`abandoned`: a late answer, or one the provider gave when asked). `undefined` when the
   * attempt already has an answer, or when a success cannot be recorded on it because another
   * attempt of the order is live.
   */
  finish(
    id: string,
    answer: { status: 'succeeded' | 'declined'; declineReason: string | null },
  ): Promise<Payment | undefined>;
  /**
   * Marks one `processing` attempt `abandoned`: its call to the provider ended without an
   * answer. False when it was no longer `processing`.
   */
  abandon(id: string): Promise<boolean>;
  /**
   * Marks the order's attempts still `processing` since before `startedBefore` as `abandoned`;
   * returns their ids.
   */
  abandonStale(orderId: string, startedBefore: Date): Promise<string[]>;
  findById(id: string): Promise<Payment | undefined>;
  listByOrder(orderId: string): Promise<Payment[]>;
}
