import { createCounter } from '@sightline/telemetry';
import type { CardProvider } from './card-provider.ts';
import { PaymentDeclined, PaymentNotFound, type ChargeRequest, type Payment } from './payment.ts';

export interface PaymentRecord {
  orderId: string;
  amountCents: number;
  currency: string;
  status: Payment['status'];
  declineReason: string | null;
  card: Payment['card'];
}

export interface PaymentRepository {
  /**
   * Runs `fn` while holding a lock on the order, so two charges for one order never run at
   * the same time.
   */
  withOrderLock<T>(orderId: string, fn: (locked: LockedPayments) => Promise<T>): Promise<T>;
  findById(id: string): Promise<Payment | undefined>;
  listByOrder(orderId: string): Promise<Payment[]>;
}

export interface LockedPayments {
  findSucceeded(orderId: string): Promise<Payment | undefined>;
  insert(payment: PaymentRecord): Promise<Payment>;
}

const paymentsTotal = createCounter(
  'payments_total',
  "Payments attempted, by outcome, and for declines the provider's reason.",
  ['outcome', 'decline_reason'],
);

export class Payments {
  private readonly repository: PaymentRepository;
  private readonly provider: CardProvider;
  constructor(repository: PaymentRepository, provider: CardProvider) {
    this.repository = repository;
    this.provider = provider;
  }

  /**
   * Charges an order once. A repeated charge for an order that is already paid returns the
   * existing payment (`created: false`) without calling the provider again.
   */
  async charge(request: ChargeRequest): Promise<{ payment: Payment; created: boolean }> {
    const result = await this.repository.withOrderLock(request.orderId, async (locked) => {
      const existing = await locked.findSucceeded(request.orderId);
      if (existing) {
        paymentsTotal.inc({ outcome: 'already_paid' });
        return { payment: existing, created: false };
      }
      const authorization = await this.provider.authorize(
        request.card,
        request.amountCents,
        request.currency,
      );
      const payment = await locked.insert({
        orderId: request.orderId,
        amountCents: request.amountCents,
        currency: request.currency,
        status: authorization.approved ? 'succeeded' : 'declined',
        declineReason: authorization.declineReason ?? null,
        card: { brand: authorization.brand, last4: authorization.last4 },
      });
      // The provider's reasons are a short fixed list, so they are safe as a label.
      paymentsTotal.inc(
        authorization.declineReason
          ? { outcome: payment.status, decline_reason: authorization.declineReason }
          : { outcome: payment.status },
      );
      return { payment, created: true };
    });
    // Thrown after the lock's transaction has committed, so the declined attempt stays on record.
    if (result.payment.status === 'declined') throw new PaymentDeclined(result.payment);
    return result;
  }

  async get(id: string): Promise<Payment> {
    const payment = await this.repository.findById(id);
    if (!payment) throw new PaymentNotFound(id);
    return payment;
  }

  listByOrder(orderId: string): Promise<Payment[]> {
    return this.repository.listByOrder(orderId);
  }
}
