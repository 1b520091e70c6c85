import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { codeLocationOf } from '../src/code-location.ts';

function failHere(): never {
  throw new TypeError('boom'); // line 7
}

test('when an error is thrown in application code, then its location is that file, line and function', () => {
  let caught: unknown;
  try {
    failHere();
  } catch (error) {
    caught = error;
  }

  assert.deepEqual(codeLocationOf(caught), {
    'code.filepath': fileURLToPath(import.meta.url),
    'code.lineno': 7,
    'code.function': 'failHere',
  });
});

test('when library frames come first, then they are skipped for the first application frame', () => {
  const error = new Error('from a library');
  error.stack = [
    'Error: from a library',
    '    at Socket.onError (/app/node_modules/pg/lib/client.js:10:3)',
    '    at node:internal/process/task_queues:95:5',
    '    at async Orders.place (file:///app/services/order-service/src/domain/orders.ts:42:7)',
  ].join('\n');

  assert.deepEqual(codeLocationOf(error), {
    'code.filepath': '/app/services/order-service/src/domain/orders.ts',
    'code.lineno': 42,
    'code.function': 'Orders.place',
  });
});

test('when the value thrown is not an Error, then there is no location', () => {
  assert.deepEqual(codeLocationOf('a string'), {});
});
