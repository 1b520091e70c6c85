/**
 * `processing` while the provider is being asked; then `succeeded` or `declined` with its
 * answer, or `abandoned` if the process charging it died before the provider answered.
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

/** Card data as it arrives; it lives only as long as the charge call. */
export interface Card {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
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
