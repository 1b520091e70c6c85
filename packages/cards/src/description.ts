export interface CardDescription {
  brand: string;
  last4: string;
}

/** What may be kept of a card: enough to recognise it on a receipt, never enough to charge it. */
export function describeCard(number: string): CardDescription {
  let brand = 'unknown';
  if (number.startsWith('4')) brand = 'visa';
  else if (/^5[1-5]/.test(number)) brand = 'mastercard';
  else if (/^3[47]/.test(number)) brand = 'amex';
  return { brand, last4: number.slice(-4) };
}
