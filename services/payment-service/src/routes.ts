import { CardSchema } from '@sightline/cards';
import { errorProblems, parseInput, problemFor, type FieldError } from '@sightline/service';
import { Router } from 'express';
import { z } from 'zod';
import {
  CardProviderFailed,
  ChargeDoesNotMatchOrder,
  PaymentDeclined,
  PaymentGatewayTimeout,
  PaymentNotFound,
  UnknownOrder,
} from './domain/payment.ts';
import type { Payments } from './domain/payments.ts';

const ChargeBody = z.object({
  orderId: z.uuid(),
  amountCents: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  card: CardSchema,
  // Older callers send none; the simulated provider only uses them in failure drills.
  skus: z.array(z.string().min(1).max(64)).max(50).default([]),
});

const PaymentIdParams = z.object({ id: z.uuid() });
const ListQuery = z.object({ orderId: z.uuid() });

export function paymentRoutes(payments: Payments): Router {
  const router = Router();

  // Called by order-service; not exposed by the gateway. The card is fully checked here,
  // with the same rules order-service applied, and the amount and currency against the order
  // order-service stored, before anything is recorded.
  router.post('/api/payments', async (request, response) => {
    const { payment, created } = await payments.charge(parseInput(ChargeBody, request.body));
    response
      .status(created ? 201 : 200)
      .location(`/api/payments/${payment.id}`)
      .json(payment);
  });

  router.get('/api/payments/:id', async (request, response) => {
    const { id } = parseInput(PaymentIdParams, request.params, 'path');
    response.json(await payments.get(id));
  });

  // Called by order-service's reconciler (what became of an order's payment?); not exposed by
  // the gateway.
  router.get('/api/payments', async (request, response) => {
    const { orderId } = parseInput(ListQuery, request.query, 'query');
    response.json({ items: await payments.listByOrder(orderId) });
  });

  return router;
}

const fieldError = (field: string, detail: string): FieldError => ({
  field,
  pointer: `/${field}`,
  detail,
});

/** The domain's errors as problems (RFC 9457); anything else becomes a 500. */
export const mapPaymentError = errorProblems([
  problemFor(UnknownOrder, {
    status: 422,
    type: 'unknown-order',
    title: 'Unknown order',
    extra: () => ({ errors: [fieldError('orderId', 'no such order at order-service')] }),
  }),
  problemFor(ChargeDoesNotMatchOrder, {
    status: 422,
    type: 'charge-does-not-match-order',
    title: 'The charge does not match the order',
    extra: (error) => ({
      errors: error.mismatches.map(({ field, expected }) =>
        fieldError(field, `must be the order's: ${expected}`),
      ),
    }),
  }),
  problemFor(PaymentDeclined, {
    status: 402,
    type: 'payment-declined',
    title: 'Payment declined',
    extra: (error) => ({
      paymentId: error.payment.id,
      declineReason: error.payment.declineReason,
    }),
  }),
  problemFor(PaymentGatewayTimeout, {
    status: 504,
    type: 'payment-gateway-timeout',
    title: 'Payment gateway timeout',
    detail: 'The card provider did not answer in time; the charge may or may not have happened.',
  }),
  problemFor(CardProviderFailed, {
    status: 502,
    type: 'card-provider-failed',
    title: 'The card provider failed',
  }),
  problemFor(PaymentNotFound, {
    status: 404,
    type: 'payment-not-found',
    title: 'Payment not found',
  }),
]);
