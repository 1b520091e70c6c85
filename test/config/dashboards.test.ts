import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, renderDashboards } from '../../infra/dashboards/generate.ts';
import { FAULT_ANNOTATION_EXPR } from '../../infra/dashboards/kit.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const rendered = renderDashboards();

type Node = Record<string, unknown>;
const panelsOf = (dashboard: Node): Node[] =>
  ((dashboard.panels ?? []) as Node[]).flatMap((p) => [p, ...((p.panels ?? []) as Node[])]);

function provisionedUids(): string[] {
  const file = join(ROOT, 'grafana/provisioning/datasources/datasources.yaml');
  const { datasources } = parse(readFileSync(file, 'utf8')) as { datasources: { uid: string }[] };
  return datasources.map((d) => d.uid);
}

describe('the dashboards as code', () => {
  test('when the code is run, then it generates exactly the committed grafana/dashboards/*.json (run `npm run dashboards`)', () => {
    for (const [file, text] of rendered)
      assert.equal(
        readFileSync(join(DASHBOARDS_DIR, file), 'utf8'),
        text,
        `${file} differs from what infra/dashboards generates: run npm run dashboards`,
      );
  });

  for (const [file, text] of rendered) {
    const dashboard = JSON.parse(text) as Node;
    const panels = panelsOf(dashboard).filter((p) => p.type !== 'row');

    test(`when ${file} is read, then every panel has a unit and a description of what to look for`, () => {
      assert.ok(panels.length > 0);
      for (const panel of panels) {
        const defaults = (panel.fieldConfig as { defaults?: { unit?: string } } | undefined)
          ?.defaults;
        assert.ok(defaults?.unit, `panel "${String(panel.title)}" has no unit`);
        assert.ok(
          typeof panel.description === 'string' && panel.description.length >= 40,
          `panel "${String(panel.title)}" does not say what to look for`,
        );
      }
    });

    test(`when ${file} has a time series panel, then it shades when a failure-drill fault was on, from fault_active`, () => {
      if (!panels.some((p) => p.type === 'timeseries')) return;
      const list = ((dashboard.annotations as Node | undefined)?.list ?? []) as Node[];
      const faults = list.filter(
        (a) =>
          String(a.expr).startsWith('fault_active') &&
          String((a.target as Node | undefined)?.expr).startsWith('fault_active'),
      );
      assert.equal(faults.length, 1, `${file} has no fault_active annotation`);
      const [annotation] = faults as [Node];
      assert.equal(annotation.expr, FAULT_ANNOTATION_EXPR);
      assert.equal(annotation.enable, true, 'the annotation is on by default');
      assert.deepEqual(annotation.datasource, { type: 'prometheus', uid: 'prometheus' });
      assert.match(String(annotation.titleFormat), /\{\{fault\}\}.*\{\{service_name\}\}/);
      assert.equal(annotation.filter, undefined, 'shown on every panel, not only some');
    });

    test(`when ${file} is read, then every panel and query names a datasource uid the provisioning defines`, () => {
      const uids = provisionedUids();
      for (const panel of panels) {
        const refs = [
          panel.datasource,
          ...((panel.targets ?? []) as Node[]).map((t) => t.datasource),
        ];
        for (const ref of refs)
          assert.ok(
            uids.includes((ref as { uid?: string } | undefined)?.uid ?? ''),
            `panel "${String(panel.title)}" uses datasource ${JSON.stringify(ref)}; provisioned: ${uids.join(', ')}`,
          );
      }
    });
  }

  test('when Grafana provisions them, then the provider reads the folder compose mounts the dashboards into', () => {
    const provider = parse(
      readFileSync(join(ROOT, 'grafana/provisioning/dashboards/sightline.yaml'), 'utf8'),
    ) as { providers: { folder: string; options: { path: string } }[] };
    const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const [only] = provider.providers;
    assert.equal(only?.folder, 'Sightline');
    assert.ok(
      compose.includes(`./grafana/dashboards:${only.options.path}:ro`),
      `docker-compose.yml does not mount grafana/dashboards at ${only.options.path}`,
    );
  });
});
