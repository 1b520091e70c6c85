import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { pin, readPins, ROOT } from '../../infra/stack/pins.ts';
import { getJson } from '../stack/stack.ts';

const GRAFANA = `http://127.0.0.1:${pin(readPins(), 'GRAFANA_PORT')}`;

test('when compose starts Grafana (a stand-in here), then it finds every datasource, dashboard and linked runbook of the repository where Grafana reads them', async () => {
  const found = await getJson<{ datasources: string[]; dashboards: string[]; runbooks: string[] }>(
    `${GRAFANA}/api/stand-in`,
  );
  const { datasources } = parse(
    readFileSync(join(ROOT, 'grafana/provisioning/datasources/datasources.yaml'), 'utf8'),
  ) as { datasources: { name: string; type: string }[] };
  assert.deepEqual(
    found.datasources.sort(),
    datasources.map((d) => `${d.name} (${d.type})`).sort(),
  );
  const dashboards = readdirSync(join(ROOT, 'grafana/dashboards'))
    .filter((f) => f.endsWith('.json'))
    .map(
      (f) =>
        (JSON.parse(readFileSync(join(ROOT, 'grafana/dashboards', f), 'utf8')) as { uid: string })
          .uid,
    );
  assert.deepEqual(found.dashboards.sort(), dashboards.sort());
  assert.ok(found.runbooks.length > 0);
});
