import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { Traffic } from '../../infra/bench/traffic.ts';
import { findQueries } from '../../infra/queries/find.ts';
import { fillGrafanaVariables, syntaxErrors } from '../../infra/queries/grammar.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { eventually } from '../support/eventually.ts';
import type { DeliveredLog } from '../../harness/stand-ins/loki-otlp-receiver.ts';
import {
  ALERT_WEBHOOK,
  ALERTMANAGER,
  GATEWAY,
  getJson,
  hasData,
  PROMETHEUS,
  rangeQuery,
  whileStopped,
} from './stack.ts';

/** The Load test dashboard's k6 panels. */
const K6_ONLY =
  'k6 writes these series by remote write while it runs; k6 is AGPL-licensed and never run here';

/**
 * Panels that may rightly show nothing after this test's traffic, and why. Their queries
 * must still run; every other panel query must return data: a failure, refusal or drop
 * panel reads 0 when nothing failed (kit.ts, zeroWhenNone and shareOf).
 */
const EMPTY_BY_DESIGN: Record<string, string> = {
  'Which alerts fire':
    'a list of the alerts firing now: nothing fires in a healthy stack (the Firing alerts count beside it reads 0)',
  'k6: requests per second, by endpoint': K6_ONLY,
  'k6: p95 and p99 duration, by endpoint': K6_ONLY,
  'k6: failed requests and failed checks': K6_ONLY,
  'k6: virtual users and journeys per second': K6_ONLY,
};

const dashboardQueries = findQueries().filter((q) => q.file.startsWith('grafana/dashboards/'));
const panelTitle = (where: string) => /panel "(.*)"/.exec(where)?.[1] ?? where;

describe('the dashboards, alerts and runbooks, on real data', () => {
  before(async () => {
    const traffic = new Traffic(GATEWAY);
    const userId = await traffic.newUser();
    for (let i = 0; i < 3; i++) await traffic.round(userId);
    await traffic.abandonedOrder(userId);
    // A short payment-service outage: orders answer 503, calls to it fail, the gateway
    // cannot pass payment lookups on, and error logs are written.
    await whileStopped('payment-service', async () => {
      for (let i = 0; i < 3; i++) {
        assert.equal(await traffic.order(userId), 503);
        assert.equal(await traffic.paymentLookup(), 502);
      }
    });
    // Then steady traffic over a few scrape intervals (5 s), as a real day has: a rate needs
    // increases between scrapes, and one burst before the first scrape has none.
    const until = Date.now() + 15_000;
    while (Date.now() < until) await traffic.round(userId);
    // Span metrics reach Prometheus every 15 s and scrapes every 5 s; wait for the last round.
    await eventually(
      'span metrics of the database spans',
      async () =>
        hasData(
          await rangeQuery(
            'sum(rate(traces_span_metrics_calls_total{db_system_name="postgresql"}[1m]))',
          ),
        ),
      60_000,
    );
  });

  test('when the dashboards are read, then they have PromQL and LogQL queries', () => {
    assert.ok(dashboardQueries.filter((q) => q.language === 'promql').length >= 40);
    assert.ok(dashboardQueries.some((q) => q.language === 'logql'));
  });

  for (const query of dashboardQueries.filter((q) => q.language === 'promql')) {
    const title = panelTitle(query.where);
    const why = EMPTY_BY_DESIGN[title];
    test(`when ${query.file} panel "${title}" is queried as Grafana would, then ${why ? 'it runs (may be empty: ' + why + ')' : 'it returns data'}`, async () => {
      if (why) {
        assert.equal((await rangeQuery(query.expr)).status, 'success');
        return;
      }
      await eventually(
        `data for ${query.expr}`,
        async () => {
          const result = await rangeQuery(query.expr);
          if (!hasData(result))
            throw new Error(`no data yet: ${JSON.stringify(result.data.result).slice(0, 300)}`);
          return true;
        },
        30_000,
      );
    });
  }

  test('when Grafana lists the $service variable, then every service is a choice', async () => {
    const params = new URLSearchParams({
      'match[]': 'http_server_request_duration_seconds_count{job="services"}',
    });
    const { data } = await getJson<{ data: string[] }>(
      `${PROMETHEUS}/api/v1/label/service_name/values?${params.toString()}`,
    );
    assert.deepEqual(data.sort(), [
      'api-gateway',
      'order-service',
      'payment-service',
      'user-service',
    ]);
  });

  test('when the collector delivers logs, then every LogQL query parses and selects labels and fields that exist', async () => {
    const standIn = process.env.LOKI_STAND_IN_URL;
    assert.ok(standIn, 'run with npm run test:stack');
    const records = await getJson<DeliveredLog[]>(`${standIn}/records`);
    // Loki's OTLP mapping: service.name → label service_name; attributes, severity_text,
    // trace_id and span_id → structured metadata, dots becoming underscores.
    const underscore = (key: string) => key.replaceAll('.', '_');
    const streamLabels = new Set(records.flatMap((r) => Object.keys(r.resource).map(underscore)));
    const metadata = new Set([
      'severity_text',
      'trace_id',
      'span_id',
      ...records.flatMap((r) => Object.keys(r.attributes).map(underscore)),
    ]);
    const severities = new Set(records.map((r) => r.severityText));
    const logql = findQueries().filter((q) => q.language === 'logql');
    assert.ok(logql.length > 0);
    for (const query of logql) {
      const expr = query.grafana ? fillGrafanaVariables(query.expr) : query.expr;
      assert.deepEqual(syntaxErrors('logql', expr), [], `${query.file} ${query.where}`);
      const selector = /^\{([^}]*)\}/.exec(expr)?.[1] ?? '';
      for (const [, name] of selector.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g))
        assert.ok(streamLabels.has(name!), `${query.file} ${query.where}: no stream label ${name}`);
      const pipeline = expr.slice(selector.length + 2);
      for (const [, name, op, value] of pipeline.matchAll(
        /\|\s*([a-zA-Z_]\w*)\s*(=~|!~|!=|=|>=|<=|>|<)\s*"([^"]*)"/g,
      )) {
        assert.ok(
          streamLabels.has(name!) || metadata.has(name!),
          `${query.file} ${query.where}: ${name} is neither a label nor structured metadata`,
        );
        if (name === 'severity_text' && op === '=')
          assert.ok(severities.has(value!), `no record has severity_text "${value}"`);
        if (name === 'severity_text' && op === '=~')
          assert.ok([...severities].some((s) => new RegExp(`^(?:${value})$`).test(s)));
      }
    }
    assert.ok(severities.has('error'), 'the outage wrote error lines');
  });

  test('when the dashboards name datasources, then each uid is one the provisioning defines', () => {
    const provisioned = parse(
      readFileSync(join(ROOT, 'grafana/provisioning/datasources/datasources.yaml'), 'utf8'),
    ) as { datasources: { uid: string }[] };
    const uids = provisioned.datasources.map((d) => d.uid);
    for (const file of new Set(dashboardQueries.map((q) => q.file))) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, uid] of text.matchAll(/"uid": "([^"]+)"/g))
        if (!uid!.startsWith('sightline-')) assert.ok(uids.includes(uid!), `${file}: ${uid}`);
    }
  });

  test('when Prometheus loads the rules, then every alert and recording is there and healthy', async () => {
    const expected = findQueries()
      .filter((q) => q.file.startsWith('prometheus/rules/'))
      .map((q) => q.where.split(' / ')[1]!);
    const loaded = await eventually(
      'every rule evaluated with health ok',
      async () => {
        const { data } = await getJson<{
          data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
        }>(`${PROMETHEUS}/api/v1/rules`);
        const rules = data.groups.flatMap((g) => g.rules);
        return rules.length === expected.length && rules.every((r) => r.health === 'ok') && rules;
      },
      60_000,
    );
    assert.deepEqual(loaded.map((r) => r.name).sort(), expected.sort());
  });

  test('when alerts of every severity reach Alertmanager, then it routes them to the webhook with their runbook', async () => {
    const run = crypto.randomUUID();
    const alerts = ['critical', 'warning', 'ticket'].map((severity) => ({
      labels: { alertname: 'HighErrorRate', service_name: `drill-${run}`, severity },
      annotations: { runbook_url: 'docs/runbooks/HighErrorRate.md' },
      startsAt: new Date().toISOString(),
    }));
    const posted = await fetch(`${ALERTMANAGER}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    assert.equal(posted.status, 200);
    const delivered = await eventually(
      'the webhook receiving all three',
      async () => {
        const received = await getJson<
          { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] }[]
        >(`${ALERT_WEBHOOK}/notifications`);
        const mine = received
          .flatMap((n) => n.alerts)
          .filter((a) => a.labels.service_name === `drill-${run}`);
        return mine.length >= 3 && mine;
      },
      60_000,
    );
    assert.deepEqual([...new Set(delivered.map((a) => a.labels.severity))].sort(), [
      'critical',
      'ticket',
      'warning',
    ]);
    assert.ok(
      delivered.every((a) => a.annotations.runbook_url === 'docs/runbooks/HighErrorRate.md'),
    );
  });
});
