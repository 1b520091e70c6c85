import { CardSchema } from '@sightline/cards';
import { parseInput, problemType, type ErrorMapper, type FieldError } from '@sightline/service';
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

export const mapPaymentError: ErrorMapper = (error) => {
  if (error instanceof UnknownOrder) {
    return {
      type: problemType('unknown-order'),
      title: 'Unknown order',
      status: 422,
      detail: error.message,
      errors: [fieldError('orderId', 'no such order at order-service')],
    };
  }
  if (error instanceof ChargeDoesNotMatchOrder) {
    return {
      type: problemType('charge-does-not-match-order'),
      title: 'The charge does not match the order',
      status: 422,
      detail: error.message,
      errors: error.mismatches.map(({ field, expected }) =>
        fieldError(field, `must be the order's: ${expected}`),
      ),
    };
  }
  if (error instanceof PaymentDeclined) {
    return {
      type: problemType('payment-declined'),
      title: 'Payment declined',
      status: 402,
      detail: error.message,
      paymentId: error.payment.id,
      declineReason: error.payment.declineReason,
    };
  }
  if (error instanceof PaymentGatewayTimeout) {
    return {
      type: problemType('payment-gateway-timeout'),
      title: 'Payment gateway timeout',
      status: 504,
      detail: 'The card provider did not answer in time; the charge may or may not have happened.',
    };
  }
  if (error instanceof CardProviderFailed) {
    return {
      type: problemType('card-provider-failed'),
      title: 'The card provider failed',
      status: 502,
      detail: error.message,
    };
  }
  if (error instanceof PaymentNotFound) {
    return {
      type: problemType('payment-not-found'),
      title: 'Payment not found',
      status: 404,
      detail: error.message,
    };
  }
  return undefined;
};
