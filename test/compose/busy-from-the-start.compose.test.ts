/**
 * A fresh `docker compose up` is never silent: with no request from any test (this file runs
 * first), the traffic service's customers give every query of the Overview and Service
 * dashboards data within two minutes of `up`; and where nothing failed, an error, failure
 * or drop panel shows 0, not "No data". run.ts records when `up` returned
 * (SIGHTLINE_COMPOSE_UP_AT).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findQueries } from '../../infra/queries/find.ts';
import { eventually } from '../support/eventually.ts';
import { hasData, rangeQuery } from '../stack/stack.ts';

const DASHBOARDS = ['sightline-overview.json', 'sightline-service.json'];
const WITHIN_MS = 120_000;

/** Lists, not numbers: empty is their healthy state, and a count beside each says 0. */
const LISTS = new Set(['Which alerts fire']);

const queries = findQueries().filter(
  (q) => q.language === 'promql' && DASHBOARDS.some((d) => q.file.endsWith(d)),
);

describe('docker compose up, before any request of the tests', () => {
  const upAt = Number(process.env.SIGHTLINE_COMPOSE_UP_AT);

  test('when the dashboards are read, then there are queries to check and up has been recorded', () => {
    assert.ok(upAt > 0, 'run with npm run test:compose, which records when up returned');
    assert.ok(queries.length >= 30, `${queries.length} queries`);
  });

  for (const query of queries) {
    const title = /panel "(.*)"/.exec(query.where)?.[1] ?? query.where;
    if (LISTS.has(title)) continue;
    test(`when ${query.file.split('/').at(-1)} panel "${title}" is queried, then it has data within two minutes of up`, async () => {
      await eventually(
        `data for ${query.expr}`,
        async () => {
          const result = await rangeQuery(query.expr);
          if (!hasData(result))
            throw new Error(`no data: ${JSON.stringify(result.data.result).slice(0, 200)}`);
          return true;
        },
        Math.max(1_000, upAt + WITHIN_MS - Date.now()),
      );
    });
  }
});
