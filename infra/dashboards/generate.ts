/**
 * The dashboards as code: `npm run dashboards` writes grafana/dashboards/<uid>.json, which
 * Grafana provisions into its "Sightline" folder (grafana/provisioning/dashboards). The JSON
 * is committed so that `docker compose up` needs no build step; test/config/dashboards.test.ts
 * fails when it differs from what this code generates.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { businessDashboard } from './business.ts';
import { loadTestDashboard } from './load-test.ts';
import { overviewDashboard } from './overview.ts';
import { pipelineDashboard } from './pipeline.ts';
import { serviceDashboard } from './service.ts';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../../grafana/dashboards/', import.meta.url));

/** File name → file content, exactly as committed. */
export function renderDashboards(): Map<string, string> {
  const rendered = new Map<string, string>();
  for (const builder of [
    overviewDashboard(),
    serviceDashboard(),
    businessDashboard(),
    pipelineDashboard(),
    loadTestDashboard(),
  ]) {
    const dashboard = builder.build();
    rendered.set(`${dashboard.uid ?? ''}.json`, `${JSON.stringify(dashboard, null, 2)}\n`);
  }
  return rendered;
}

if (import.meta.main) {
  mkdirSync(DASHBOARDS_DIR, { recursive: true });
  const rendered = renderDashboards();
  // A dashboard removed from the code leaves the folder too.
  for (const file of readdirSync(DASHBOARDS_DIR))
    if (file.endsWith('.json') && !rendered.has(file)) rmSync(join(DASHBOARDS_DIR, file));
  for (const [file, text] of rendered) writeFileSync(join(DASHBOARDS_DIR, file), text);
  console.log(`wrote ${[...rendered.keys()].join(', ')} to grafana/dashboards/`);
}
