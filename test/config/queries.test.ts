import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findQueries } from '../../infra/queries/find.ts';
import { fillGrafanaVariables, syntaxErrors } from '../../infra/queries/grammar.ts';

const queries = findQueries();

describe('every PromQL and LogQL expression the repository ships', () => {
  test('when the repository is searched, then rules, rule tests, provisioning and docs all yield queries', () => {
    const files = new Set(queries.map((q) => q.file.split('/')[0]));
    for (const source of ['prometheus', 'grafana', 'README.md'])
      assert.ok(files.has(source), `no query found in ${source}`);
    assert.ok(queries.some((q) => q.language === 'logql'));
    assert.ok(queries.some((q) => q.language === 'promql'));
  });

  for (const query of queries) {
    test(`when ${query.language} at ${query.file} (${query.where}) is parsed, then it is valid`, () => {
      const expr = query.grafana ? fillGrafanaVariables(query.expr) : query.expr;
      assert.deepEqual(syntaxErrors(query.language, expr), [], expr);
    });
  }
});

// The test above only means something if the grammars refuse broken expressions.
describe('the grammars', () => {
  test('when PromQL is broken, then it is refused', () => {
    assert.notDeepEqual(
      syntaxErrors('promql', 'sum(rate(http_server_request_duration_seconds_count[5m])'),
      [],
    );
    assert.notDeepEqual(syntaxErrors('promql', 'up{job="services"'), []);
    assert.deepEqual(syntaxErrors('promql', 'sum by (job) (up{job="services"})'), []);
  });

  test('when LogQL is broken, then it is refused', () => {
    assert.notDeepEqual(syntaxErrors('logql', '{service_name="order-service" | json'), []);
    assert.notDeepEqual(syntaxErrors('logql', 'service_name="order-service"'), []);
    assert.deepEqual(
      syntaxErrors('logql', '{service_name="order-service"} | trace_id="abc" | level="error"'),
      [],
    );
  });

  test('when a query uses a Grafana variable nobody defined, then filling it in fails', () => {
    assert.throws(() => fillGrafanaVariables('up{service_name="$nosuch"}'), /\$nosuch/);
    assert.equal(
      fillGrafanaVariables('rate(x{service_name="$service"}[$__rate_interval])'),
      'rate(x{service_name="order-service"}[1m])',
    );
  });
});
