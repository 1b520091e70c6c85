import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CardSchema, describeCard, expiryIssue, passesLuhn } from '../src/index.ts';

const nextYear = new Date().getUTCFullYear() + 1;
const GOOD = { number: '4242424242424242', expMonth: 12, expYear: nextYear, cvc: '123' };

function failingFields(card: unknown): string[] {
  const result = CardSchema.safeParse(card);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('what a valid card is', () => {
  test('when the number passes Luhn and the card has not expired, then it is accepted', () => {
    assert.deepEqual(failingFields(GOOD), []);
    assert.deepEqual(failingFields({ ...GOOD, number: '378282246310005', cvc: '1234' }), []);
  });

  test('when the number fails its checksum, then number is named', () => {
    assert.equal(passesLuhn('4242424242424241'), false);
    assert.deepEqual(failingFields({ ...GOOD, number: '4242424242424241' }), ['number']);
  });

  test('when the number has other characters or an implausible length, then number is named', () => {
    for (const number of ['4242 4242 4242 4242', '42424242424', '42424242424242424242', '']) {
      assert.deepEqual(failingFields({ ...GOOD, number }), ['number'], number);
    }
  });

  test('when the month is outside 1 to 12 or the security code is not 3 or 4 digits, then those fields are named', () => {
    assert.deepEqual(failingFields({ ...GOOD, expMonth: 13, cvc: '12' }).sort(), [
      'cvc',
      'expMonth',
    ]);
    assert.deepEqual(failingFields({ ...GOOD, expMonth: 0 }), ['expMonth']);
    assert.deepEqual(failingFields({ ...GOOD, cvc: '12345' }), ['cvc']);
  });

  test('when the expiry year has passed, then expYear is named', () => {
    assert.deepEqual(failingFields({ ...GOOD, expMonth: 1, expYear: 2001 }), ['expYear']);
  });

  test('when the expiry is this month, then the card is good until the month ends (UTC)', () => {
    const expiry = { expMonth: 3, expYear: 2031 };
    assert.equal(expiryIssue(expiry, new Date('2031-03-01T00:00:00Z')), undefined);
    assert.equal(expiryIssue(expiry, new Date('2031-03-31T23:59:59Z')), undefined);
    assert.equal(expiryIssue(expiry, new Date('2031-04-01T00:00:00Z')), 'expMonth');
    assert.equal(expiryIssue(expiry, new Date('2032-01-01T00:00:00Z')), 'expYear');
  });

  test('when a card is rejected, then no message repeats its number or security code', () => {
    const result = CardSchema.safeParse({ ...GOOD, number: '4242424242424241', cvc: '98' });
    assert.equal(result.success, false);
    const messages = JSON.stringify(result.error?.issues);
    assert.ok(!messages.includes('4242424242424241'));
    assert.ok(!messages.includes('"98"'));
  });

  test('when a card is described, then only its brand and last four digits are kept', () => {
    assert.deepEqual(describeCard('4242424242424242'), { brand: 'visa', last4: '4242' });
    assert.deepEqual(describeCard('5555555555554444'), { brand: 'mastercard', last4: '4444' });
    assert.deepEqual(describeCard('378282246310005'), { brand: 'amex', last4: '0005' });
  });
});
