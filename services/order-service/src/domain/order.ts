import type { Card } from '@sightline/cards';
import type { BusinessFacts } from '@sightline/telemetry';

/**
 * `pending` until payment-service answers; then `paid` or `payment_declined`. An order that
 * was never charged and can no longer be (see the reconciler) ends `cancelled`.
 */
export type OrderStatus = 'pending' | 'paid' | 'payment_declined' | 'cancelled';

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderLine[];
  totalCents: number;
  currency: string;
  paymentId: string | null;
  createdAt: Date;
}

/** What telemetry names about an order: its id, SKUs, payment, and customer (the user id). */
export function orderFacts(order: Order): BusinessFacts {
  return {
    order_id: order.id,
    skus: order.items.map((item) => item.sku),
    payment_id: order.paymentId ?? undefined,
    customer_ref: order.userId,
  };
}

export interface NewOrder {
  userId: string;
  items: { sku: string; quantity: number }[];
  card: Card;
}

export class UnknownUser extends Error {
  readonly userId: string;
  constructor(userId: string) {
    super(`user ${userId} does not exist`);
    this.name = 'UnknownUser';
    this.userId = userId;
  }
}

export class UnknownProducts extends Error {
  /** Positions in the order's `items` whose sku is not in the catalog. */
  readonly positions: number[];
  constructor(skus: string[], positions: number[]) {
    super(`not in the catalog: ${skus.join(', ')}`);
    this.name = 'UnknownProducts';
    this.positions = positions;
  }
}

export class MixedCurrencies extends Error {
  constructor() {
    super('all items of an order must be priced in one currency');
    this.name = 'MixedCurrencies';
  }
}

export class OrderNotFound extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} does not exist`);
    this.name = 'OrderNotFound';
  }
}

export class IdempotencyKeyReused extends Error {
  constructor() {
    super('this user already used this Idempotency-Key for a different order');
    this.name = 'IdempotencyKeyReused';
  }
}

/** A repeat of an order that was cancelled unpaid; it is not charged now. */
export class OrderCancelled extends Error {
  readonly order: Order;
  constructor(order: Order) {
    super(`order ${order.id} was cancelled unpaid; place a new order`);
    this.name = 'OrderCancelled';
    this.order = order;
  }
}

export class PaymentDeclined extends Error {
  readonly order: Order;
  readonly reason: string;
  constructor(order: Order, reason: string) {
    super(`payment for order ${order.id} was declined: ${reason}`);
    this.name = 'PaymentDeclined';
    this.order = order;
    this.reason = reason;
  }
}

/** payment-service refused the card's details (bad number, bad expiry…). */
export class InvalidCard extends Error {
  readonly fields: { field: string; detail: string }[];
  constructor(fields: { field: string; detail: string }[]) {
    super('the card was rejected as invalid');
    this.name = 'InvalidCard';
    this.fields = fields;
  }
}

/**
 * A successful payment for an order, but of another amount or currency than the order's: it
 * does not pay the order. Someone charged what the order does not say; a person has to look.
 */
export class PaymentDoesNotMatchOrder extends Error {
  constructor(order: Order, payment: { paymentId: string; amountCents: number; currency: string }) {
    super(
      `payment ${payment.paymentId} charged ${payment.amountCents} ${payment.currency} for order ${order.id}, which is ${order.totalCents} ${order.currency}: the order is not settled by it`,
    );
    this.name = 'PaymentDoesNotMatchOrder';
  }
}
