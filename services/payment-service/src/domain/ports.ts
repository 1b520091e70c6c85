import type { Card, Payment } from './payment.ts';

export interface Authorization {
  approved: boolean;
  declineReason?: string;
}

/** What payment-service needs from a card provider. */
export interface CardProvider {
  /** `attemptId` is the provider's idempotency key: asking twice charges once. */
  authorize(
    attemptId: string,
    card: Card,
    amountCents: number,
    currency: string,
    skus: string[],
  ): Promise<Authorization>;
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
  /** The order's live attempt: the one `processing` or `succeeded`, if any. */
  findLive(orderId: string): Promise<Payment | undefined>;
  /** Records the provider's answer on a `processing` attempt. */
  finish(
    id: string,
    answer: { status: 'succeeded' | 'declined'; declineReason: string | null },
  ): Promise<Payment>;
  /**
   * Marks one `processing` attempt `abandoned`: the provider failed it without charging.
   * False when it was no longer `processing`.
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
