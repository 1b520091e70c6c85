/** Luhn's checksum: catches a mistyped card number before it reaches a provider. */
export function passesLuhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * A card is good through the last day of its expiry month. The month is taken in UTC, the
 * same for every caller, so two services never disagree about a card at midnight.
 * Returns which field makes the card expired, or `undefined` while it is still good.
 */
export function expiryIssue(
  expiry: { expMonth: number; expYear: number },
  now: Date,
): 'expYear' | 'expMonth' | undefined {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  if (expiry.expYear < year) return 'expYear';
  if (expiry.expYear === year && expiry.expMonth < month) return 'expMonth';
  return undefined;
}
