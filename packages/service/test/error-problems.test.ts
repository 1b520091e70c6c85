import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorProblems, problemFor } from '../src/error-handler.ts';

class ThingNotFound extends Error {
  readonly thingId: string;
  constructor(thingId: string) {
    super(`thing ${thingId} does not exist`);
    this.thingId = thingId;
  }
}

class ThingBusy extends Error {
  readonly retryAfterSeconds = 3;
}

/** A subclass listed after its parent's row: the first row that matches answers. */
class ThingGone extends ThingNotFound {}

const mapThingError = errorProblems([
  problemFor(ThingNotFound, {
    status: 404,
    type: 'thing-not-found',
    title: 'Thing not found',
    extra: (error) => ({ thingId: error.thingId }),
  }),
  problemFor(ThingBusy, {
    status: 503,
    type: 'busy',
    title: 'Busy',
    detail: (error) => `Try again in ${error.retryAfterSeconds} s.`,
    headers: (error) => ({ 'retry-after': String(error.retryAfterSeconds) }),
  }),
  problemFor(ThingGone, { status: 410, type: 'gone', title: 'Gone', detail: 'It is gone.' }),
]);

describe('errorProblems', () => {
  test('when an error is in the table, then its row makes the problem: type, title, status, the message as detail, then its extra members', () => {
    const answer = mapThingError(new ThingNotFound('t-1'));
    assert.deepEqual(answer, {
      problem: {
        type: 'urn:sightline:problem:thing-not-found',
        title: 'Thing not found',
        status: 404,
        detail: 'thing t-1 does not exist',
        thingId: 't-1',
      },
      headers: {},
    });
    assert.deepEqual(Object.keys((answer as { problem: object }).problem), [
      'type',
      'title',
      'status',
      'detail',
      'thingId',
    ]);
  });

  test('when a row says the detail and headers, then the answer carries them', () => {
    assert.deepEqual(mapThingError(new ThingBusy('busy')), {
      problem: {
        type: 'urn:sightline:problem:busy',
        title: 'Busy',
        status: 503,
        detail: 'Try again in 3 s.',
      },
      headers: { 'retry-after': '3' },
    });
  });

  test('when rows overlap, then the first that matches answers; when none matches, then the table has no answer', () => {
    const answer = mapThingError(new ThingGone('t-2')) as { problem: { status: number } };
    assert.equal(answer.problem.status, 404);
    assert.equal(mapThingError(new Error('other')), undefined);
    assert.equal(mapThingError('not an error'), undefined);
  });
});
