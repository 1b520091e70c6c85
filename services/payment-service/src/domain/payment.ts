import type { Card } from '@sightline/cards';

/**
 * `processing` while the provider is being asked; then `succeeded` or `declined` with its
 * answer, or `abandoned` when the call ended without one (it timed out, the provider failed, or
 * the process charging it died). Whether an abandoned attempt charged the card is the
 * provider's to say: it is asked before the order is charged again, and its answer, or a late
 * one, turns the attempt `succeeded` or `declined`. An attempt the provider has no charge for
 * stays `abandoned`.
 */
export type PaymentStatus = 'processing' | 'succeeded' | 'declined' | 'abandoned';

export interface Payment {
  id: string;
  orderId: string;
  amountCents: number;
  currency: string;
  status: PaymentStatus;
  declineReason: string | null;
  card: { brand: string; last4: string };
  createdAt: Date;
}

export interface ChargeRequest {
  orderId: string;
  amountCents: number;
  currency: string;
  card: Card;
  /** What the order holds, as a card provider's line-item data: SKUs only. */
  skus: string[];
}

export class PaymentNotFound extends Error {
  readonly paymentId: string;
  constructor(paymentId: string) {
    super(`payment ${paymentId} does not exist`);
    this.name = 'PaymentNotFound';
    this.paymentId = paymentId;
  }
}

/** There is no such order at order-service: nothing is charged for it. */
export class UnknownOrder extends Error {
  readonly orderId: string;
  constructor(orderId: string) {
    super(`order ${orderId} does not exist`);
    this.name = 'UnknownOrder';
    this.orderId = orderId;
  }
}

/** The charge asked for another amount or currency than the order's: nothing is charged. */
export class ChargeDoesNotMatchOrder extends Error {
  /** The request's fields that differ from the order, with what the order holds. */
  readonly mismatches: { field: 'amountCents' | 'currency'; expected: string | number }[];
  constructor(
    orderId: string,
    mismatches: { field: 'amountCents' | 'currency'; expected: string | number }[],
  ) {
    super(
      `the charge does not match order ${orderId}: ${mismatches
        .map((m) => `${m.field} must be ${m.expected}`)
        .join(', ')}`,
    );
    this.name = 'ChargeDoesNotMatchOrder';
    this.mismatches = mismatches;
  }
}

/** The card provider did not answer in time: whether the card was charged is not known. */
export class PaymentGatewayTimeout extends Error {
  constructor() {
    super('Payment gateway timeout');
    this.name = 'PaymentGatewayTimeout';
  }
}

/** The card provider failed to process the charge. */
export class CardProviderFailed extends Error {
  constructor() {
    super('The card provider failed to process the charge');
    this.name = 'CardProviderFailed';
  }
}

/** The provider refused the card. An answer, not a failure: the order simply is not paid. */
export class PaymentDeclined extends Error {
  readonly payment: Payment;
  constructor(payment: Payment) {
    super(`the card was declined: ${payment.declineReason ?? 'declined'}`);
    this.name = 'PaymentDeclined';
    this.payment = payment;
  }
}
