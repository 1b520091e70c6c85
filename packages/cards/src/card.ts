import { z } from 'zod';
import { expiryIssue, passesLuhn } from './rules.ts';

/**
 * A payment card as a client sends it, fully checked: digits only and of a length card
 * networks issue (12 to 19), a valid Luhn checksum, a month of the year, an expiry that has not
 * passed, and a 3- or 4-digit security code. order-service checks it before it writes an order,
 * payment-service before it calls the provider: the same rules, from this one module.
 * No message repeats what was sent, so a problem or a log line never carries card data.
 */
export const CardSchema = z
  .object({
    number: z
      .string()
      .regex(/^\d{12,19}$/, { message: 'must be 12 to 19 digits', abort: true })
      .refine(passesLuhn, 'is not a valid card number'),
    expMonth: z.number().int().min(1).max(12),
    expYear: z.number().int().min(2000).max(2100),
    cvc: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
  })
  .superRefine((card, context) => {
    const field = expiryIssue(card, new Date());
    if (field) context.addIssue({ code: 'custom', path: [field], message: 'the card has expired' });
  });

export type Card = z.output<typeof CardSchema>;
