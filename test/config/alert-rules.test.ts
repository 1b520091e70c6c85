import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;
const yamlFiles = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => parse(readFileSync(join(ROOT, dir, f), 'utf8')) as Record<string, unknown>);

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}
const alerts = yamlFiles('prometheus/rules')
  .flatMap((file) => (file.groups as { rules: Rule[] }[]).flatMap((g) => g.rules))
  .filter((r) => r.alert);
const alertNames = [...new Set(alerts.map((a) => a.alert!))];

interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}
const alertTests = yamlFiles('prometheus/tests').flatMap((file) =>
  (file.tests as { alert_rule_test?: AlertTest[] }[]).flatMap((t) => t.alert_rule_test ?? []),
);
const dashboardUids = readdirSync(join(ROOT, 'grafana/dashboards')).map((f) =>
  f.replace(/\.json$/, ''),
);

/** What a runbook must cover, as headings (docs/runbooks/README.md explains the shape). */
const RUNBOOK_SECTIONS = [
  '## What it means',
  '## Confirm it',
  '## First three checks',
  '## From exemplar to trace to logs to code',
  '## Make it stop',
];

describe('every alert rule', () => {
  test('when the rules are read, then there are alerts', () => assert.ok(alerts.length >= 10));

  for (const alert of alerts) {
    test(`when ${alert.alert} fires, then it says what, why, which runbook and which dashboard`, () => {
      const a = alert.annotations ?? {};
      assert.ok(a.summary && a.description, 'summary and description');
      assert.equal(a.runbook_url, `docs/runbooks/${alert.alert}.md`);
      assert.ok(existsSync(join(ROOT, a.runbook_url)), `${a.runbook_url} does not exist`);
      const uid = /^\/d\/([^/?]+)/.exec(a.dashboard ?? '')?.[1];
      assert.ok(uid && dashboardUids.includes(uid), `dashboard ${a.dashboard} is not generated`);
    });
  }

  for (const name of alertNames) {
    test(`when promtool runs the rule tests, then ${name} is shown both firing and quiet`, () => {
      const mine = alertTests.filter((t) => t.alertname === name);
      assert.ok(
        mine.some((t) => (t.exp_alerts ?? []).length > 0),
        'no test where it fires',
      );
      assert.ok(
        mine.some((t) => (t.exp_alerts ?? []).length === 0),
        'no test where it is quiet',
      );
    });

    test(`when ${name}'s runbook is read, then it has every section a responder needs`, () => {
      const text = readFileSync(join(ROOT, `docs/runbooks/${name}.md`), 'utf8');
      assert.match(text, new RegExp(`^# ${name}\\b`, 'm'));
      for (const section of RUNBOOK_SECTIONS) assert.ok(text.includes(section), section);
    });
  }
});
