import { createServiceClient } from '@sightline/service';
import type { OrderBook } from '../domain/ports.ts';

interface OrderBody {
  totalCents: number;
  currency: string;
}

/** order-service, seen from payment-service: what an order costs, as order-service stored it. */
export class OrderClient implements OrderBook {
  private readonly http;
  constructor(baseURL: string, timeoutMs: number) {
    this.http = createServiceClient({ dependency: 'order-service', baseURL, timeoutMs });
  }

  async find(orderId: string): Promise<{ totalCents: number; currency: string } | undefined> {
    const response = await this.http.get<unknown>(`/api/orders/${encodeURIComponent(orderId)}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      throw new Error(`order-service answered ${response.status} to an order lookup`);
    }
    const { totalCents, currency } = response.data as OrderBody;
    return { totalCents, currency };
  }
}
