import { parseInput, problemType, type ErrorMapper } from '@sightline/telemetry';
import { Router } from 'express';
import { z } from 'zod';
import { PaymentDeclined, PaymentNotFound } from './domain/payment.ts';
import type { Payments } from './domain/payments.ts';

/** Luhn's checksum: catches a mistyped card number before it reaches the provider. */
function passesLuhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

export const CardSchema = z.object({
  number: z
    .string()
    .regex(/^\d{12,19}$/, 'must be 12 to 19 digits')
    .refine(passesLuhn, 'is not a valid card number'),
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int().min(2000).max(2100),
  cvc: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
});

const ChargeBody = z.object({
  orderId: z.uuid(),
  amountCents: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  card: CardSchema,
});

const PaymentIdParams = z.object({ id: z.uuid() });
const ListQuery = z.object({ orderId: z.uuid() });

export function paymentRoutes(payments: Payments): Router {
  const router = Router();

  // Called by order-service; not exposed by the gateway.
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

  router.get('/api/payments', async (request, response) => {
    const { orderId } = parseInput(ListQuery, request.query, 'query');
    response.json({ items: await payments.listByOrder(orderId) });
  });

  return router;
}

export const mapPaymentError: ErrorMapper = (error) => {
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
