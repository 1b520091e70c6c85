/**
 * Makes a new service: copies the template into services/<name> with its names replaced
 * (template.ts), adds its entry to the one service list (infra/dev/services.ts), runs
 * `npm run services:sync`, which writes it into docker-compose.yml, .env, init.sql, the
 * Dockerfile and the Helm chart, and with `--public` routes it through the gateway
 * (gateway.ts). Everything it writes is Prettier-formatted.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import type { ServiceSpec } from '../dev/services.ts';
import { gatewayRoutes, routeThroughGateway } from './gateway.ts';
import { renderTemplate, snake } from './template.ts';

export interface NewService {
  /** Kebab-case; also its folder, its `service.name` and its compose service name. */
  name: string;
  /** Unset: the first port from 8004 up that nothing in the repository uses. */
  port?: number;
  withDatabase: boolean;
  /** `/api/<resource>`: routed by the gateway. Unset: the service is internal. */
  publicPath?: string;
}

export interface Generated {
  name: string;
  port: number;
  database?: string;
  /** The path its routes serve, `/api/<resource>`. */
  path: string;
  /** Every file written, relative to the repository. */
  files: string[];
}

export class UsageError extends Error {}

const LIST = 'infra/dev/services.ts';
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const FIRST_PORT = 8004;

/** The service list of the repository at `root`, as it is now on disk. */
async function readServiceList(root: string): Promise<readonly ServiceSpec[]> {
  // A fresh module each time: the list changes as services are generated.
  const url = `${pathToFileURL(join(root, LIST)).href}?read=${randomUUID()}`;
  return ((await import(url)) as { SERVICES: readonly ServiceSpec[] }).SERVICES;
}

function read(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}

/** Every port the repository already gives to something: the services, .env, the native stack. */
function usedPorts(root: string, services: readonly ServiceSpec[]): Set<number> {
  const used = new Set(services.map((s) => s.port));
  for (const match of read(root, '.env').matchAll(/^[A-Z0-9_]+_PORT=(\d+)$/gm)) {
    used.add(Number(match[1]));
  }
  for (const file of [
    'infra/stack/native-ports.ts',
    'infra/stack/processes.ts',
    'infra/dev/start.ts',
  ]) {
    if (!existsSync(join(root, file))) continue;
    for (const match of read(root, file).matchAll(/\b(\d{4,5})\b/g)) used.add(Number(match[1]));
  }
  return used;
}

interface Plan {
  port: number;
  resource: string;
  database?: string;
}

async function plan(root: string, options: NewService): Promise<Plan> {
  const { name } = options;
  if (!KEBAB.test(name) || name.length > 40) {
    throw new UsageError(
      `"${name}" is not a service name: use kebab-case, lower-case letters and digits, at most 40 characters (e.g. loyalty-service)`,
    );
  }
  const services = await readServiceList(root);
  const compose = parseYaml(read(root, 'docker-compose.yml')) as { services: object };
  if (services.some((s) => s.name === name) || existsSync(join(root, 'services', name))) {
    throw new UsageError(`a service named ${name} already exists`);
  }
  if (name in compose.services || name === 'example-service') {
    throw new UsageError(`${name} is already the name of something else in docker-compose.yml`);
  }

  const used = usedPorts(root, services);
  let port = options.port;
  if (port === undefined) {
    port = FIRST_PORT;
    while (used.has(port)) port++;
  } else if (!Number.isInteger(port) || port < 1024 || port > 65_535) {
    throw new UsageError(`--port must be a whole number from 1024 to 65535, not ${port}`);
  } else if (used.has(port)) {
    throw new UsageError(`port ${port} is already taken in this repository; pick another`);
  }

  let resource = name.replace(/-service$/, '');
  if (options.publicPath !== undefined) {
    const match = /^\/api\/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$/.exec(options.publicPath);
    if (!match?.[1]) {
      throw new UsageError(
        `--public takes /api/<resource>, one kebab-case segment (e.g. /api/rewards), not "${options.publicPath}"`,
      );
    }
    resource = match[1];
    if (gatewayRoutes(root, resource)) {
      throw new UsageError(`the gateway already routes /api/${resource}`);
    }
  }

  if (!options.withDatabase) return { port, resource };
  const taken = new Set(['postgres', ...services.flatMap((s) => s.database ?? [])]);
  let database = snake(name.replace(/-service$/, ''));
  if (taken.has(database)) database = snake(name);
  if (taken.has(database)) throw new UsageError(`a database named ${database} already exists`);
  return { port, resource, database };
}

/** The list with the new service's entry, before the gateway's (which comes last). */
function listed(root: string, entry: Omit<ServiceSpec, 'name'> & { name: string }): string {
  const text = read(root, LIST);
  const gateway = /^ {2}\{ name: 'api-gateway'.*$/m.exec(text);
  if (!gateway) throw new Error(`${LIST}: no api-gateway entry to add the new service before`);
  const fields = [
    `name: '${entry.name}'`,
    `port: ${entry.port}`,
    ...(entry.database ? [`database: '${entry.database}'`] : []),
    ...(entry.public ? ['public: true'] : []),
  ];
  return `${text.slice(0, gateway.index)}  { ${fields.join(', ')} },\n${text.slice(gateway.index)}`;
}

export async function generateService(root: string, options: NewService): Promise<Generated> {
  const { name, withDatabase } = options;
  const { port, resource, database } = await plan(root, options);
  const isPublic = options.publicPath !== undefined;

  const files = new Map([
    ...renderTemplate({ root, name, port, resource, withDatabase }),
    ...(isPublic ? routeThroughGateway({ root, name, port, resource }) : []),
    [LIST, listed(root, { name, port, ...(database ? { database } : {}), public: isPublic })],
  ]);
  // Names differ in length from the template's, so lines may need wrapping anew.
  const config = await prettier.resolveConfig(join(root, 'package.json'));
  for (const [file, content] of files) {
    if (!/\.(ts|json)$/.test(file)) continue;
    files.set(file, await prettier.format(content, { ...config, filepath: join(root, file) }));
  }
  for (const [file, content] of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }

  // The repository's own sync, in a process of its own: it reads the list just written.
  const sync = spawnSync(process.execPath, ['infra/services/sync.ts'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (sync.status !== 0) throw new Error(`npm run services:sync failed:\n${sync.stderr}`);
  const synced = [...sync.stdout.matchAll(/^wrote (\S+)$/gm)].map((m) => m[1]!);

  return {
    name,
    port,
    ...(database ? { database } : {}),
    path: `/api/${resource}`,
    files: [...new Set([...files.keys(), ...synced])].sort(),
  };
}
