import { createHash } from 'node:crypto';
import type { Card } from '@sightline/cards';
import { createCounter, inSpan, logger, recordBusinessFacts } from '@sightline/telemetry';
import { faults } from '../faults.ts';
import {
  IdempotencyKeyReused,
  MixedCurrencies,
  OrderCancelled,
  orderFacts,
  OrderNotFound,
  PaymentDeclined,
  UnknownProducts,
  UnknownUser,
  type NewOrder,
  type Order,
  type OrderLine,
  type Product,
} from './order.ts';
import type {
  Catalog,
  OrderRepository,
  Page,
  PageRequest,
  PaymentGateway,
  UserDirectory,
} from './ports.ts';
import { settle } from './settlement.ts';

const ordersCreated = createCounter('orders_created_total', 'Orders created (before payment).');

/** How many of a user's orders a page holds, unless the client asks for another number up to `max`. */
export const ORDER_PAGE_SIZE = { default: 20, max: 100 } as const;

export interface PlacedOrder {
  order: Order;
  /** False when an earlier request of the same user with the same Idempotency-Key made it. */
  created: boolean;
}

/** What the order is for, card excluded: the same key must always mean the same order. */
function fingerprint(input: NewOrder): string {
  return createHash('sha256')
    .update(JSON.stringify({ userId: input.userId, items: input.items }))
    .digest('hex');
}

export class Orders {
  private readonly repository: OrderRepository;
  private readonly catalog: Catalog;
  private readonly users: UserDirectory;
  private readonly payments: PaymentGateway;
  constructor(deps: {
    repository: OrderRepository;
    catalog: Catalog;
    users: UserDirectory;
    payments: PaymentGateway;
  }) {
    this.repository = deps.repository;
    this.catalog = deps.catalog;
    this.users = deps.users;
    this.payments = deps.payments;
  }

  products(): Promise<Product[]> {
    return this.catalog.list();
  }

  /**
   * Checks the user, prices the items from the catalog, records a pending order, then charges
   * it. The Idempotency-Key is the user's name for this order: a repeat of it by the same user
   * returns the order made the first time and never charges twice (another user's key of the
   * same name is another order); a repeat of an order still `pending` (payment-service was
   * unreachable) attempts the payment again. The card was fully checked at the edge, before
   * this runs, so a bad card never leaves an order behind.
   */
  async place(input: NewOrder, idempotencyKey: string): Promise<PlacedOrder> {
    recordBusinessFacts({ customer_ref: input.userId });
    const requestFingerprint = fingerprint(input);
    const earlier = await this.repository.findByIdempotencyKey(input.userId, idempotencyKey);
    if (earlier) return this.replay(earlier, requestFingerprint, input.card);

    if (!(await this.users.exists(input.userId))) throw new UnknownUser(input.userId);
    const { items, totalCents, currency } = await this.priceItems(input.items);

    const order = await this.repository.create({
      userId: input.userId,
      items,
      totalCents,
      currency,
      idempotencyKey,
      requestFingerprint,
    });
    if (!order) {
      // A concurrent request with the same key won the insert; answer as its repeat.
      const earlier = await this.repository.findByIdempotencyKey(input.userId, idempotencyKey);
      if (!earlier) throw new Error('order insert conflicted but no order holds the key');
      return this.replay(earlier, requestFingerprint, input.card);
    }
    ordersCreated.inc();
    recordBusinessFacts(orderFacts(order));
    logger.info({ event: 'sightline.order.placed', ...orderFacts(order) }, 'order placed');
    return { order: await this.pay(order, input.card), created: true };
  }

  async get(id: string): Promise<Order> {
    const order = await this.repository.findById(id);
    if (!order) throw new OrderNotFound(id);
    recordBusinessFacts(orderFacts(order));
    return order;
  }

  /** A page of the user's orders, newest first; `page.after` is where the previous page ended. */
  listByUser(userId: string, page: PageRequest): Promise<Page<Order>> {
    recordBusinessFacts({ customer_ref: userId });
    return this.repository.listByUser(userId, page);
  }

  private async replay(
    earlier: { order: Order; requestFingerprint: string },
    requestFingerprint: string,
    card: Card,
  ): Promise<PlacedOrder> {
    if (earlier.requestFingerprint !== requestFingerprint) throw new IdempotencyKeyReused();
    const { order } = earlier;
    recordBusinessFacts(orderFacts(order));
    if (order.status === 'pending') return { order: await this.pay(order, card), created: false };
    if (order.status === 'payment_declined') throw new PaymentDeclined(order, 'declined earlier');
    if (order.status === 'cancelled') throw new OrderCancelled(order);
    return { order, created: false };
  }

  private async pay(order: Order, card: Card): Promise<Order> {
    const result = await this.payments.charge({
      orderId: order.id,
      amountCents: order.totalCents,
      currency: order.currency,
      card,
      skus: order.items.map((item) => item.sku),
    });
    recordBusinessFacts({ payment_id: result.paymentId });
    const settled = await settle(
      this.repository,
      order.id,
      result.outcome === 'succeeded'
        ? { status: 'paid', paymentId: result.paymentId }
        : { status: 'payment_declined', paymentId: result.paymentId },
    );
    // The stored status is the answer: a concurrent request's successful payment beats our decline.
    if (settled.status === 'payment_declined') {
      throw new PaymentDeclined(
        settled,
        result.outcome === 'declined' ? result.reason : 'declined earlier',
      );
    }
    if (settled.status === 'cancelled') throw new OrderCancelled(settled);
    return settled;
  }

  /** Prices each line from the catalog; the span shows how long the catalog lookup takes. */
  private async priceItems(
    requested: NewOrder['items'],
  ): Promise<{ items: OrderLine[]; totalCents: number; currency: string }> {
    const skus = [...new Set(requested.map((item) => item.sku))];
    const products = await inSpan(
      'OrderService.priceItems',
      { 'sightline.order.item_count': requested.length },
      async () => {
        recordBusinessFacts({ skus: requested.map((item) => item.sku) });
        // The eventLoopBlock drill: pricing turns CPU-bound, and nothing else in this process runs.
        await faults.burnCpu('eventLoopBlock');
        return new Map((await this.catalog.findBySkus(skus)).map((p) => [p.sku, p]));
      },
    );
    const unknown = requested
      .map((item, position) => ({ sku: item.sku, position }))
      .filter(({ sku }) => !products.has(sku));
    if (unknown.length > 0) {
      throw new UnknownProducts(
        unknown.map(({ sku }) => sku),
        unknown.map(({ position }) => position),
      );
    }
    const priced = requested.map((item) => ({ item, product: products.get(item.sku) as Product }));
    const currencies = new Set(priced.map(({ product }) => product.currency));
    if (currencies.size > 1) throw new MixedCurrencies();
    const items = priced.map(({ item, product }) => ({
      sku: item.sku,
      quantity: item.quantity,
      unitPriceCents: product.priceCents,
    }));
    const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    return { items, totalCents, currency: [...currencies][0] as string };
  }
}
