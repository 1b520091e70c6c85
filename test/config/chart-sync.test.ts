/**
 * The Helm chart's copies of the repository's config files (deploy/helm/sightline/files/) and
 * its synced values, against the files they are copied from: `npm run chart:sync` writes them,
 * and this fails when someone changed a config file, a runbook or the service list without it.
 * No Kubernetes tool needed; test/k8s/ checks the chart itself.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { CHART, chartFiles, syncedValues } from '../../infra/k8s/chart-files.ts';

describe('the chart holds the repository as it is', () => {
  test('when a config file, the service list or the scrape targets change, then files/ has them (npm run chart:sync)', () => {
    const filesDir = join(CHART, 'files');
    const present = readdirSync(filesDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(filesDir, join(entry.parentPath, entry.name)))
      .sort();
    const wanted = chartFiles();
    assert.deepEqual(present, [...wanted.keys()].sort(), 'files/ holds other files than it should');
    for (const [path, content] of wanted) {
      assert.equal(readFileSync(join(filesDir, path), 'utf8'), content, `files/${path} is stale`);
    }
  });

  test('when .env or a compose memory limit changes, then values.yaml has it (npm run chart:sync)', () => {
    const values = readFileSync(join(CHART, 'values.yaml'), 'utf8');
    assert.equal(values, syncedValues(values));
  });
});
