import type { Card } from '@sightline/cards';
import { createServiceClient, DependencyUnavailable } from '@sightline/service';
import { faults } from '../faults.ts';
import { InvalidCard } from '../domain/order.ts';
import type { ChargeOutcome, PaymentAttempt, PaymentGateway } from '../domain/ports.ts';

interface PaymentBody {
  id: string;
}

interface PaymentList {
  items: {
    id: string;
    status: PaymentAttempt['status'];
    declineReason: string | null;
    amountCents: number;
    currency: string;
  }[];
}

interface DeclinedProblem {
  paymentId: string;
  declineReason: string;
}

interface ValidationProblem {
  errors?: { field: string; detail: string }[];
}

/** payment-service, seen from order-service. */
export class PaymentClient implements PaymentGateway {
  private readonly http;
  constructor(baseURL: string, timeoutMs: number) {
    this.http = createServiceClient({
      dependency: 'payment-service',
      baseURL,
      timeoutMs,
      beforeSend: () => this.reachable(),
    });
  }

  async charge(request: {
    orderId: string;
    amountCents: number;
    currency: string;
    card: Card;
    skus: string[];
  }): Promise<ChargeOutcome> {
    const response = await this.http.post<unknown>('/api/payments', request);
    if (response.status === 201 || response.status === 200) {
      return { outcome: 'succeeded', paymentId: (response.data as PaymentBody).id };
    }
    if (response.status === 402) {
      const problem = response.data as DeclinedProblem;
      return { outcome: 'declined', paymentId: problem.paymentId, reason: problem.declineReason };
    }
    if (response.status === 400) {
      const fields = (response.data as ValidationProblem).errors ?? [];
      throw new InvalidCard(fields.filter((error) => error.field.startsWith('card')));
    }
    throw new Error(`payment-service answered ${response.status} to a charge`);
  }

  async attemptsFor(orderId: string): Promise<PaymentAttempt[]> {
    const response = await this.http.get<unknown>('/api/payments', { params: { orderId } });
    if (response.status !== 200) {
      throw new Error(`payment-service answered ${response.status} to a payment lookup`);
    }
    return (response.data as PaymentList).items.map((payment) => ({
      paymentId: payment.id,
      status: payment.status,
      declineReason: payment.declineReason,
      amountCents: payment.amountCents,
      currency: payment.currency,
    }));
  }

  /**
   * The paymentUnreachable drill, checked before every call is sent: fails as a refused
   * connection would, and is counted as one (`error_type="unreachable"`).
   */
  private async reachable(): Promise<void> {
    if (await faults.active('paymentUnreachable')) {
      const refused = Object.assign(new Error('connect ECONNREFUSED (paymentUnreachable fault)'), {
        code: 'ECONNREFUSED',
      });
      throw new DependencyUnavailable('payment-service', 'unreachable', refused);
    }
  }
}
