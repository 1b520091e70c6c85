import { CardSchema } from '@sightline/cards';
import {
  parseInput,
  problemType,
  storableText,
  type ErrorMapper,
  type FieldError,
} from '@sightline/service';
import { Router } from 'express';
import { z } from 'zod';
import {
  IdempotencyKeyReused,
  InvalidCard,
  MixedCurrencies,
  OrderCancelled,
  OrderNotFound,
  PaymentDeclined,
  UnknownProducts,
  UnknownUser,
} from './domain/order.ts';
import { ORDER_PAGE_SIZE, type Orders } from './domain/orders.ts';
import { CursorParam, encodeCursor } from './list-cursor.ts';

const NewOrderBody = z.object({
  userId: z.uuid(),
  items: z
    .array(
      z.object({
        sku: storableText().min(1).max(64),
        quantity: z.number().int().min(1).max(100),
      }),
    )
    .min(1)
    .max(50),
  // The same rules payment-service applies, checked here before an order is written.
  card: CardSchema,
});

/**
 * The client's name for one order attempt, the same on every retry of it: a UUID, or a prefix
 * and a UUID (`load-<uuid>`), fits. Required, so that a client that gave up waiting and asks
 * again never makes (and pays for) a second order.
 */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const IDEMPOTENCY_KEY_RULE = '1 to 64 characters from A-Z a-z 0-9 _ - : .';

const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `is required: a key for this order attempt, sent again on every retry (${IDEMPOTENCY_KEY_RULE})`
          : undefined,
    })
    .regex(IDEMPOTENCY_KEY, `must be ${IDEMPOTENCY_KEY_RULE}`),
});

const OrderIdParams = z.object({ id: z.uuid() });
const ListQuery = z.object({
  userId: z.uuid(),
  limit: z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1).max(ORDER_PAGE_SIZE.max))
    .default(ORDER_PAGE_SIZE.default),
  cursor: CursorParam.optional(),
});

export function orderRoutes(orders: Orders): Router {
  const router = Router();

  router.get('/api/products', async (_request, response) => {
    response.json({ items: await orders.products() });
  });

  router.post('/api/orders', async (request, response) => {
    const headers = parseInput(IdempotencyHeader, request.headers, 'header');
    const input = parseInput(NewOrderBody, request.body);
    const { order, created } = await orders.place(input, headers['idempotency-key']);
    if (!created) response.setHeader('idempotent-replayed', 'true');
    response.status(201).location(`/api/orders/${order.id}`).json(order);
  });

  router.get('/api/orders/:id', async (request, response) => {
    const { id } = parseInput(OrderIdParams, request.params, 'path');
    response.json(await orders.get(id));
  });

  router.get('/api/orders', async (request, response) => {
    const { userId, limit, cursor } = parseInput(ListQuery, request.query, 'query');
    const page = await orders.listByUser(userId, { limit, after: cursor });
    response.json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  return router;
}

function fieldErrors(fields: { field: string; detail: string }[]): FieldError[] {
  return fields.map(({ field, detail }) => ({
    field,
    pointer: `/${field
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .join('/')}`,
    detail,
  }));
}

export const mapOrderError: ErrorMapper = (error) => {
  if (error instanceof UnknownUser) {
    return {
      type: problemType('unknown-user'),
      title: 'Unknown user',
      status: 422,
      detail: error.message,
      errors: fieldErrors([{ field: 'userId', detail: 'no such user' }]),
    };
  }
  if (error instanceof UnknownProducts) {
    return {
      type: problemType('unknown-product'),
      title: 'Unknown product',
      status: 422,
      detail: error.message,
      errors: fieldErrors(
        error.positions.map((position) => ({
          field: `items[${position}].sku`,
          detail: 'not in the catalog',
        })),
      ),
    };
  }
  if (error instanceof MixedCurrencies) {
    return {
      type: problemType('mixed-currencies'),
      title: 'Mixed currencies',
      status: 422,
      detail: error.message,
    };
  }
  if (error instanceof InvalidCard) {
    return {
      type: problemType('validation'),
      title: 'The request body is invalid',
      status: 400,
      detail: error.fields.map((f) => `${f.field}: ${f.detail}`).join('; ') || error.message,
      errors: fieldErrors(error.fields),
    };
  }
  if (error instanceof PaymentDeclined) {
    return {
      type: problemType('payment-declined'),
      title: 'Payment declined',
      status: 402,
      detail: error.message,
      orderId: error.order.id,
      orderStatus: error.order.status,
      declineReason: error.reason,
    };
  }
  if (error instanceof IdempotencyKeyReused) {
    return {
      type: problemType('idempotency-key-reused'),
      title: 'Idempotency-Key reused',
      status: 422,
      detail: error.message,
    };
  }
  if (error instanceof OrderCancelled) {
    return {
      type: problemType('order-cancelled'),
      title: 'Order cancelled',
      status: 409,
      detail: error.message,
      orderId: error.order.id,
      orderStatus: error.order.status,
    };
  }
  if (error instanceof OrderNotFound) {
    return {
      type: problemType('order-not-found'),
      title: 'Order not found',
      status: 404,
      detail: error.message,
    };
  }
  return undefined;
};
