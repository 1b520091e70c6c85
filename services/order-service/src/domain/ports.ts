import type { Card, Order, OrderLine, OrderStatus, Product } from './order.ts';

/** What order-service needs from user-service. */
export interface UserDirectory {
  exists(userId: string): Promise<boolean>;
}

export type ChargeOutcome =
  | { outcome: 'succeeded'; paymentId: string }
  | { outcome: 'declined'; paymentId: string; reason: string };

/** What order-service needs from payment-service. */
export interface PaymentGateway {
  charge(request: {
    orderId: string;
    amountCents: number;
    currency: string;
    card: Card;
  }): Promise<ChargeOutcome>;
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
  settle(id: string, status: Exclude<OrderStatus, 'pending'>, paymentId: string): Promise<Order>;
}
