/**
 * `npm run services:sync`: writes what the committed files say about the services from the
 * one service list (infra/dev/services.ts), so adding a service is adding one entry there.
 *
 *   docker-compose.yml  each service's block, every service's <NAME>_URL, the postgres
 *                       container's role passwords (marked blocks)
 *   .env                <NAME>_PORT and <NAME>_DB_PASSWORD (marked blocks)
 *   infra/postgres/init.sql  a role and a database per service with one (marked block)
 *   infra/Dockerfile    each service's package.json and sources (marked blocks)
 *   infra/npm-ca.yml    each service's image build given the npm CA secret (marked block)
 *   deploy/helm/sightline    files/services.json, files/postgres/init.sql, the services'
 *                       scrape targets, values.yaml's services.resources and
 *                       networkPolicy.serviceCalls
 *
 * What is written is Prettier-formatted where Prettier formats the file.
 * test/config/services-sync.test.ts fails when a committed file differs from what this
 * writes. The rendered manifest (deploy/k8s/sightline.yaml) needs Helm: `npm run chart:sync`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { isCollection, isMap, isScalar, parse, parseDocument } from 'yaml';
import { targetGroups } from '../stack/prometheus-targets.ts';
import {
  databasePasswordVariable,
  databaseRole,
  SERVICES,
  serviceCalls,
  urlVariable,
  type ServiceSpec,
} from '../dev/services.ts';
import { latencyObjectives } from '../stack/sampling.ts';
import { replaceBlocks } from './blocks.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHART = 'deploy/helm/sightline';

/** `order-service` → `ORDER_SERVICE`. */
const upperSnake = (name: string) => name.toUpperCase().replaceAll('-', '_');
const callees = serviceCalls();
const objectives = latencyObjectives();

/**
 * A service's compose block. Its own settings, if it has any, are hand-written above the
 * generated blocks: `x-<name>` (anchor `&<name>`) is merged into the block, `x-<name>-env`
 * (anchor `&<name>-env`) into its environment.
 */
function composeService(service: ServiceSpec, compose: string): string[] {
  const { name, port, database } = service;
  const own = (anchor: string) => new RegExp(`^x-${anchor}: &${anchor}$`, 'm').test(compose);
  const merged = (anchor: string, common: string) =>
    own(anchor) ? `[*${anchor}, *${common}]` : `*${common}`;
  const calls = callees[name] ?? [];
  const objective = objectives[name];
  return [
    `${name}:`,
    `  <<: ${merged(name, 'service')}`,
    `  command: [node, --import, '@sightline/telemetry/register', services/${name}/src/main.ts]`,
    `  environment:`,
    `    <<: ${merged(`${name}-env`, 'service-env')}`,
    ...(objective === undefined
      ? []
      : [
          '    # Its latency objective (prometheus/rules/services.yml), for exemplars of slow requests.',
          `    SIGHTLINE_LATENCY_OBJECTIVE_SECONDS: ${objective}`,
        ]),
    `    PORT: ${port}`,
    ...(database
      ? [
          `    DATABASE_URL: postgres://${databaseRole(name)}:\${${databasePasswordVariable(name)}}@postgres:5432/${database}`,
        ]
      : []),
    `  ports: ['127.0.0.1:\${${upperSnake(name)}_PORT}:${port}']`,
    `  depends_on:`,
    ...(database ? [`    postgres: { condition: service_healthy }`] : []),
    // A service that calls others starts after them; they already waited for the pipeline.
    ...(calls.length > 0
      ? calls.map((callee) => `    ${callee}: { condition: service_healthy }`)
      : [
          `    otel-collector: { condition: service_started }`,
          `    spotlight: { condition: service_started }`,
        ]),
  ];
}

const withDatabase = SERVICES.filter((s) => s.database);

/** Groups of lines, one after the other with a blank line between. */
const separated = (groups: string[][]) =>
  groups.flatMap((lines, i) => (i === 0 ? lines : ['', ...lines]));
const called = SERVICES.filter((s) => s.name !== 'api-gateway');

function composeFile(text: string): string {
  return replaceBlocks({
    file: 'docker-compose.yml',
    text,
    prefix: '#',
    blocks: [
      called.map((s) => `${urlVariable(s.name)}: http://${s.name}:${s.port}`),
      separated(SERVICES.map((s) => composeService(s, text))),
      withDatabase.map(
        (s) => `${databasePasswordVariable(s.name)}: \${${databasePasswordVariable(s.name)}}`,
      ),
    ],
  });
}

function envFile(text: string): string {
  return replaceBlocks({
    file: '.env',
    text,
    prefix: '#',
    blocks: [
      SERVICES.map((s) => `${upperSnake(s.name)}_PORT=${s.port}`),
      withDatabase.map((s) => `${databasePasswordVariable(s.name)}=compose-${s.name}`),
    ],
  });
}

function initSql(text: string): string {
  const roles = withDatabase.map((s) => {
    const role = databaseRole(s.name);
    return [
      `\\getenv ${role}_password ${databasePasswordVariable(s.name)}`,
      `CREATE ROLE ${role} LOGIN PASSWORD :'${role}_password';`,
      `CREATE DATABASE ${s.database} OWNER ${role};`,
      `REVOKE ALL ON DATABASE ${s.database} FROM PUBLIC;`,
    ];
  });
  return replaceBlocks({
    file: 'infra/postgres/init.sql',
    text,
    prefix: '--',
    blocks: [separated(roles)],
  });
}

function dockerfile(text: string): string {
  return replaceBlocks({
    file: 'infra/Dockerfile',
    text,
    prefix: '#',
    blocks: [
      SERVICES.map((s) => `COPY services/${s.name}/package.json services/${s.name}/`),
      SERVICES.map((s) => `COPY services/${s.name}/src services/${s.name}/src`),
    ],
  });
}

/** infra/npm-ca.yml: every service's image build takes the proxy's CA as a build secret. */
function npmCaFile(text: string): string {
  return replaceBlocks({
    file: 'infra/npm-ca.yml',
    text,
    prefix: '#',
    blocks: [SERVICES.map((s) => `${s.name}: { build: { secrets: [npm-ca] } }`)],
  });
}

/** The chart's files/services.json, which its templates make a Deployment and Service of. */
export function chartServiceList(): string {
  const list = SERVICES.map((s) => ({
    name: s.name,
    port: s.port,
    database: s.database ?? '',
    latencyObjectiveSeconds: objectives[s.name] ?? 0,
  }));
  return `${JSON.stringify(list, null, 2)}\n`;
}

/** A compose memory limit (`208M`, docker's binary units) as a Kubernetes quantity. */
export function kubernetesMemory(compose: string): string {
  const match = /^(\d+)([kmg])b?$/i.exec(compose.trim());
  if (!match) throw new Error(`unexpected compose memory limit ${compose}`);
  return `${match[1]}${match[2]!.toUpperCase() === 'K' ? 'Ki' : `${match[2]!.toUpperCase()}i`}`;
}

interface ComposeServices {
  services: Record<string, { deploy?: { resources?: { limits?: { memory?: string } } } }>;
}

/**
 * values.yaml with each service's resources (the memory limit compose gives it, as request
 * and limit; a new service gets the others' CPU request) and which service calls which, for
 * the network policies.
 */
function chartValues(text: string, compose: string): string {
  const document = parseDocument(text);
  const { services } = parse(compose, { merge: true }) as ComposeServices;
  const resources = document.getIn(['services', 'resources']);
  for (const { key } of isMap(resources) ? [...resources.items] : []) {
    const name = String(isScalar(key) ? key.value : key);
    if (!SERVICES.some((s) => s.name === name)) document.deleteIn(['services', 'resources', name]);
  }
  for (const { name } of SERVICES) {
    const limit = services[name]?.deploy?.resources?.limits?.memory;
    if (!limit) throw new Error(`docker-compose.yml has no memory limit for ${name}`);
    const memory = kubernetesMemory(String(limit));
    const path = ['services', 'resources', name];
    if (!document.hasIn([...path, 'requests', 'cpu'])) {
      document.setIn([...path, 'requests', 'cpu'], '50m');
    }
    document.setIn([...path, 'requests', 'memory'], memory);
    document.setIn([...path, 'limits', 'memory'], memory);
  }
  // Each service's callees on one line, as a flow sequence.
  const calls = document.createNode(callees);
  for (const { value } of calls.items) if (isCollection(value)) value.flow = true;
  document.setIn(['networkPolicy', 'serviceCalls'], calls);
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * Every file sync writes, path (relative to `root`) → its content, formatted: the files of
 * `root` with their generated parts made from this checkout's service list.
 */
export async function syncedFiles(root = ROOT): Promise<Map<string, string>> {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const compose = composeFile(read('docker-compose.yml'));
  const init = initSql(read('infra/postgres/init.sql'));
  const files = new Map<string, string>([
    ['docker-compose.yml', compose],
    ['.env', envFile(read('.env'))],
    ['infra/postgres/init.sql', init],
    ['infra/Dockerfile', dockerfile(read('infra/Dockerfile'))],
    ['infra/npm-ca.yml', npmCaFile(read('infra/npm-ca.yml'))],
    [`${CHART}/files/services.json`, chartServiceList()],
    [`${CHART}/files/postgres/init.sql`, init],
    [
      `${CHART}/files/prometheus/targets/services.json`,
      `${JSON.stringify(targetGroups('compose').services, null, 2)}\n`,
    ],
    [`${CHART}/values.yaml`, chartValues(read(`${CHART}/values.yaml`), compose)],
  ]);
  const config = await prettier.resolveConfig(join(root, 'package.json'));
  for (const [path, content] of files) {
    const filepath = join(root, path);
    const { ignored, inferredParser } = await prettier.getFileInfo(filepath, {
      ignorePath: join(root, '.prettierignore'),
    });
    if (ignored || !inferredParser) continue;
    files.set(path, await prettier.format(content, { ...config, filepath }));
  }
  return files;
}

/** The files of `root` that differ from what sync would write there. */
export async function driftedFiles(root = ROOT): Promise<string[]> {
  const drifted: string[] = [];
  for (const [path, content] of await syncedFiles(root)) {
    if (readFileSync(join(root, path), 'utf8') !== content) drifted.push(path);
  }
  return drifted;
}

/** Writes each file that differs; returns their paths. */
export async function syncServices(root = ROOT): Promise<string[]> {
  const written: string[] = [];
  for (const [path, content] of await syncedFiles(root)) {
    const target = join(root, path);
    if (readFileSync(target, 'utf8') === content) continue;
    writeFileSync(target, content);
    written.push(path);
  }
  return written;
}

if (import.meta.main) {
  const written = await syncServices();
  console.log(
    written.length === 0
      ? 'every file already lists the services as infra/dev/services.ts does'
      : [
          ...written.map((path) => `wrote ${path}`),
          'deploy/k8s/sightline.yaml is rendered from the chart by npm run chart:sync (needs Helm: npm run k8s:install)',
        ].join('\n'),
  );
}
