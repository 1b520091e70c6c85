/**
 * The program of the GRAFANA STAND-IN image, which `npm run test:compose` builds and tags as
 * the grafana/grafana image docker-compose.yml names (Grafana is AGPL-licensed: never
 * fetched, built or run on our machines). It is no Grafana and shows nothing; it checks what
 * compose hands Grafana, where Grafana reads it:
 *
 * - /etc/grafana/provisioning: every YAML file parses and has an apiVersion; datasources
 *   each have a name, type and uid; each dashboard provider's folder exists and holds
 *   dashboards (JSON with a uid and title);
 * - /usr/share/grafana/public/runbooks: every runbook a dashboard links to is there.
 *
 * Any problem: it prints them and exits 1, so `docker compose up --wait` fails. Otherwise it
 * answers compose's healthcheck at /api/health and lists what it found at /api/stand-in.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';

const PROVISIONING = process.env.GF_PATHS_PROVISIONING ?? '/etc/grafana/provisioning';
const PUBLIC = '/usr/share/grafana/public';
const PORT = Number(process.env.GF_SERVER_HTTP_PORT ?? 3000);

const problems: string[] = [];
const found = { datasources: [] as string[], dashboards: [] as string[], runbooks: [] as string[] };

function yamlFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(folder, f));
}

function readYaml(file: string): Record<string, unknown> | undefined {
  try {
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    if (!doc || doc.apiVersion === undefined) problems.push(`${file}: no apiVersion`);
    return doc ?? undefined;
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message}`);
    return undefined;
  }
}

const datasourceFiles = yamlFiles(join(PROVISIONING, 'datasources'));
if (datasourceFiles.length === 0)
  problems.push(`no datasource files in ${PROVISIONING}/datasources`);
for (const file of datasourceFiles) {
  const doc = readYaml(file) as { datasources?: { name?: string; type?: string; uid?: string }[] };
  for (const ds of doc?.datasources ?? []) {
    if (!ds.name || !ds.type || !ds.uid)
      problems.push(`${file}: a datasource lacks name, type or uid`);
    else found.datasources.push(`${ds.name} (${ds.type})`);
  }
}

const providerFiles = yamlFiles(join(PROVISIONING, 'dashboards'));
if (providerFiles.length === 0)
  problems.push(`no dashboard providers in ${PROVISIONING}/dashboards`);
const runbookLinks = new Set<string>();
for (const file of providerFiles) {
  const doc = readYaml(file) as { providers?: { name?: string; options?: { path?: string } }[] };
  for (const provider of doc?.providers ?? []) {
    const folder = provider.options?.path;
    if (!folder || !existsSync(folder)) {
      problems.push(`${file}: provider ${provider.name}: folder ${folder} is not mounted`);
      continue;
    }
    const dashboards = readdirSync(folder).filter((f) => f.endsWith('.json'));
    if (dashboards.length === 0) problems.push(`${folder}: no dashboards`);
    for (const name of dashboards) {
      try {
        const text = readFileSync(join(folder, name), 'utf8');
        const dashboard = JSON.parse(text) as { uid?: string; title?: string };
        if (!dashboard.uid || !dashboard.title) problems.push(`${folder}/${name}: no uid or title`);
        else found.dashboards.push(dashboard.uid);
        for (const link of text.matchAll(/\/public\/(runbooks\/[\w.-]+\.md)/g))
          runbookLinks.add(link[1]!);
      } catch (error) {
        problems.push(`${folder}/${name}: ${(error as Error).message}`);
      }
    }
  }
}
for (const link of runbookLinks) {
  if (existsSync(join(PUBLIC, link))) found.runbooks.push(link);
  else problems.push(`a dashboard links to /public/${link}, which is not mounted`);
}

if (problems.length > 0) {
  console.error(
    `Grafana STAND-IN: what compose mounts for Grafana is not usable:\n${problems.join('\n')}`,
  );
  process.exit(1);
}

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://stand-in').pathname;
  if (request.method === 'GET' && path === '/api/health') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ database: 'ok', standIn: 'not Grafana' }));
  } else if (request.method === 'GET' && path === '/api/stand-in') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found));
  } else {
    response.writeHead(404).end();
  }
});
// Inside its container; compose publishes the port on the host's loopback only.
server.listen(PORT, '0.0.0.0', () =>
  console.log(
    `Grafana STAND-IN (not Grafana): ${found.datasources.length} datasources, ` +
      `${found.dashboards.length} dashboards, ${found.runbooks.length} runbooks checked; :${PORT}`,
  ),
);
// PID 1 of its container: without a handler SIGTERM would be ignored until Docker kills.
process.once('SIGTERM', () => process.exit(0));
