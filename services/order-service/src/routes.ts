import { CardSchema } from '@sightline/cards';
import {
  errorProblems,
  parseInput,
  problemFor,
  storableText,
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
import type { ListPosition } from './domain/ports.ts';

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

/**
 * The `cursor` of a paged list as a client sees it: opaque text, the base64url of where the
 * previous page ended. It is made and checked here, at the edge; the domain sees a position.
 * A cursor is not a secret and grants nothing: it only says where to resume.
 */

/** A time as the repository gives it: UTC, to the microsecond. */
const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A day and time that exist (no 30 February, no 24:00), in a year PostgreSQL accepts. */
function isRealTime(at: string): boolean {
  const milliseconds = Date.parse(`${at.slice(0, 23)}Z`);
  return (
    !Number.isNaN(milliseconds) &&
    !at.startsWith('0000') &&
    new Date(milliseconds).toISOString().slice(0, 19) === at.slice(0, 19)
  );
}

const Position = z.tuple([z.string().regex(EXACT_TIME).refine(isRealTime), z.uuid()]);

function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** The position a cursor holds, or `undefined` when it is not one this service made. */
function decodeCursor(cursor: string): ListPosition | undefined {
  // Node decodes base64url leniently, skipping what does not belong; a cursor is checked whole.
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const position = Position.safeParse(decoded);
  return position.success ? { at: position.data[0], id: position.data[1] } : undefined;
}

/** The `cursor` query parameter: a cursor from a page of the list, else bad input naming it. */
const CursorParam = z.string().transform((cursor, context) => {
  const position = decodeCursor(cursor);
  if (position) return position;
  context.addIssue({
    code: 'custom',
    message: 'is not a cursor from a page of this list',
    input: cursor,
  });
  return z.NEVER;
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

/** The domain's errors as problems (RFC 9457); anything else becomes a 500. */
export const mapOrderError = errorProblems([
  problemFor(UnknownUser, {
    status: 422,
    type: 'unknown-user',
    title: 'Unknown user',
    extra: () => ({ errors: fieldErrors([{ field: 'userId', detail: 'no such user' }]) }),
  }),
  problemFor(UnknownProducts, {
    status: 422,
    type: 'unknown-product',
    title: 'Unknown product',
    extra: (error) => ({
      errors: fieldErrors(
        error.positions.map((position) => ({
          field: `items[${position}].sku`,
          detail: 'not in the catalog',
        })),
      ),
    }),
  }),
  problemFor(MixedCurrencies, { status: 422, type: 'mixed-currencies', title: 'Mixed currencies' }),
  problemFor(InvalidCard, {
    status: 400,
    type: 'validation',
    title: 'The request body is invalid',
    detail: (error) =>
      error.fields.map((f) => `${f.field}: ${f.detail}`).join('; ') || error.message,
    extra: (error) => ({ errors: fieldErrors(error.fields) }),
  }),
  problemFor(PaymentDeclined, {
    status: 402,
    type: 'payment-declined',
    title: 'Payment declined',
    extra: (error) => ({
      orderId: error.order.id,
      orderStatus: error.order.status,
      declineReason: error.reason,
    }),
  }),
  problemFor(IdempotencyKeyReused, {
    status: 422,
    type: 'idempotency-key-reused',
    title: 'Idempotency-Key reused',
  }),
  problemFor(OrderCancelled, {
    status: 409,
    type: 'order-cancelled',
    title: 'Order cancelled',
    extra: (error) => ({ orderId: error.order.id, orderStatus: error.order.status }),
  }),
  problemFor(OrderNotFound, { status: 404, type: 'order-not-found', title: 'Order not found' }),
]);
