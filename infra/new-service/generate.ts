/**
 * Makes a new service from the template (templates/example-service, itself type-checked,
 * linted and tested like any service) and registers it wherever services are listed:
 *
 *   infra/dev/services.ts   npm start, the native stack, Prometheus' targets, tests, benches
 *   docker-compose.yml      its service block and its <NAME>_URL for the others
 *   .env                    its published port (<NAME>_PORT); with --with-database its
 *                           PostgreSQL role's password (<NAME>_DB_PASSWORD)
 *   infra/postgres/init.sql its role and the database it owns (--with-database)
 *   infra/Dockerfile        its package.json and sources in the image
 *   services/api-gateway    its upstream, URL setting and routes (--public /api/<resource>)
 *
 * Every edit is anchored on a line that must be there; if one is missing, nothing is written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import { databasePasswordVariable, databaseRole } from '../dev/services.ts';

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

const TEMPLATE = 'templates/example-service';
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const FIRST_PORT = 8004;

const snake = (kebab: string) => kebab.replaceAll('-', '_');
const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const pascal = (kebab: string) => camel(kebab).replace(/^./, (c) => c.toUpperCase());
const upperSnake = (kebab: string) => snake(kebab).toUpperCase();
/** `gift-cards` → `gift-card`, `entries` → `entry`; anything else stays as it is. */
const singular = (kebab: string) => kebab.replace(/ies$/, 'y').replace(/([^s])s$/, '$1') || kebab;

interface ServiceListEntry {
  name: string;
  port: number;
  database?: string;
}

async function readServiceList(root: string): Promise<readonly ServiceListEntry[]> {
  const url = pathToFileURL(join(root, 'infra/dev/services.ts')).href;
  return ((await import(url)) as { SERVICES: readonly ServiceListEntry[] }).SERVICES;
}

/** Every port a file of the repository already gives to something. */
function usedPorts(root: string, services: readonly ServiceListEntry[]): Set<number> {
  const used = new Set(services.map((s) => s.port));
  for (const match of read(root, '.env').matchAll(/^[A-Z0-9_]+_PORT=(\d+)$/gm)) {
    used.add(Number(match[1]));
  }
  for (const file of ['infra/stack/native-ports.ts', 'infra/stack/processes.ts']) {
    for (const match of read(root, file).matchAll(/\b(\d{4,5})\b/g)) used.add(Number(match[1]));
  }
  for (const match of read(root, 'infra/dev/start.ts').matchAll(/\b(\d{4,5})\b/g)) {
    used.add(Number(match[1]));
  }
  return used;
}

function read(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}

/** Inserts `text` after the last line matching `anchor` (before it, with `before`). */
function insertAt(
  content: string,
  anchor: RegExp,
  text: string,
  where: 'after' | 'before',
  file: string,
): string {
  const matches = [...content.matchAll(new RegExp(anchor.source, 'gm'))];
  const match = where === 'after' ? matches.at(-1) : matches[0];
  if (!match) throw new Error(`${file}: no line matches ${anchor}; register the service by hand`);
  const lineEnd = content.indexOf('\n', match.index) + 1;
  const at = where === 'after' ? lineEnd : match.index;
  return content.slice(0, at) + text + content.slice(at);
}

async function validate(
  root: string,
  options: NewService,
): Promise<{ services: readonly ServiceListEntry[]; port: number; resource: string }> {
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
    const routes = read(root, 'services/api-gateway/src/routes.ts');
    if (routes.includes(`'/api/${resource}'`) || routes.includes(`'/api/${resource}/`)) {
      throw new UsageError(`the gateway already routes /api/${resource}`);
    }
  }
  return { services, port, resource };
}

/** The template's files, with regions, names and the port made the new service's own. */
function renderTemplate(
  root: string,
  name: string,
  port: number,
  resource: string,
  withDatabase: boolean,
): Map<string, string> {
  const entity = singular(resource);
  // The use cases (domain/examples.ts, `Examples`) and the entity (domain/example.ts) need two
  // names, also when the resource is singular (`quote-service` serves /api/quote).
  const plural = resource === entity ? `${entity}s` : resource;
  const replacements: [string | RegExp, string][] = [
    ['example-service', name],
    ['example_service', snake(name)],
    ['/api/examples', `/api/${resource}`],
    ['example-not-found', `${entity}-not-found`],
    ['examples', snake(plural)],
    ['Example', pascal(entity)],
    [/\bexample(?![a-z0-9_])/g, camel(entity)],
    ['portSetting(8004)', `portSetting(${port})`],
  ];
  const rename = (text: string) =>
    replacements.reduce(
      (out, [from, to]) =>
        typeof from === 'string' ? out.replaceAll(from, to) : out.replace(from, to),
      text,
    );

  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(TEMPLATE, path), read(root, path));
    }
  };
  walk(TEMPLATE);

  const repository = 'src/data/example-repository.ts';
  const inMemory = 'src/data/example-repository.in-memory.ts';
  const storage = withDatabase ? repository : inMemory;
  const out = new Map<string, string>();
  for (const [file, content] of files) {
    if (file === inMemory && withDatabase) continue;
    if (file === repository && !withDatabase) continue;
    if (!withDatabase && file.startsWith('src/data/migrations/')) continue;
    let text = content.replace(
      /^[ \t]*\/\/ #region database\n([\s\S]*?)^[ \t]*\/\/ #endregion database\n/gm,
      (_m, inside: string) => (withDatabase ? inside : ''),
    );
    if (file === 'package.json') {
      const pkg = JSON.parse(text) as { name: string; dependencies: Record<string, string> };
      pkg.name = `@sightline/${name}`;
      if (!withDatabase) delete pkg.dependencies.pg;
      text = `${JSON.stringify(pkg, null, 2)}\n`;
    }
    const target = rename(file === storage ? repository : file);
    out.set(join('services', name, target), rename(text));
  }
  return out;
}

function composeBlock(name: string, port: number, database: string | undefined): string {
  return [
    `  ${name}:`,
    `    <<: *service`,
    `    command: [node, --import, '@sightline/telemetry/register', services/${name}/src/main.ts]`,
    `    environment:`,
    `      <<: *service-env`,
    `      PORT: ${port}`,
    ...(database
      ? [
          `      DATABASE_URL: postgres://${databaseRole(name)}:\${${databasePasswordVariable(name)}}@postgres:5432/${database}`,
        ]
      : []),
    `    ports: ['127.0.0.1:\${${upperSnake(name)}_PORT}:${port}']`,
    `    depends_on:`,
    ...(database ? [`      postgres: { condition: service_healthy }`] : []),
    `      otel-collector: { condition: service_started }`,
    `      spotlight: { condition: service_started }`,
    '',
    '',
  ].join('\n');
}

/** The repository's files that list services, each with the new service added. */
function registrations(
  root: string,
  name: string,
  port: number,
  database: string | undefined,
  resource: string,
  services: readonly ServiceListEntry[],
  isPublic: boolean,
): Map<string, string> {
  const urlVariable = `${upperSnake(name)}_URL`;
  const edits = new Map<string, string>();
  const edit = (file: string, change: (content: string) => string) =>
    edits.set(file, change(edits.get(file) ?? read(root, file)));

  edit('infra/dev/services.ts', (text) =>
    insertAt(
      text,
      /^ {2}\{ name: 'api-gateway'.*$/,
      `  { name: '${name}', port: ${port}${database ? `, database: '${database}'` : ''} },\n`,
      'before',
      'infra/dev/services.ts',
    ),
  );

  edit('docker-compose.yml', (text) => {
    let out = insertAt(
      text,
      /^ {2}[A-Z0-9_]+_URL: http:\/\/[a-z0-9-]+:\d+$/,
      `  ${urlVariable}: http://${name}:${port}\n`,
      'after',
      'docker-compose.yml',
    );
    out = insertAt(
      out,
      /^ {2}api-gateway:$/,
      composeBlock(name, port, database),
      'before',
      'docker-compose.yml',
    );
    if (isPublic) {
      const start = out.search(/^ {2}api-gateway:$/m);
      const dependsOn = out.indexOf('    depends_on:\n', start);
      if (start < 0 || dependsOn < 0)
        throw new Error('docker-compose.yml: api-gateway has no depends_on');
      const at = dependsOn + '    depends_on:\n'.length;
      out = `${out.slice(0, at)}      ${name}: { condition: service_healthy }\n${out.slice(at)}`;
    }
    return out;
  });

  const portKeys = services.map((s) => `${upperSnake(s.name)}_PORT`).join('|');
  edit('.env', (text) =>
    insertAt(
      text,
      new RegExp(`^(${portKeys})=\\d+$`),
      `${upperSnake(name)}_PORT=${port}\n`,
      'after',
      '.env',
    ),
  );

  if (database) {
    const role = databaseRole(name);
    const variable = databasePasswordVariable(name);
    edit(
      'infra/postgres/init.sql',
      (text) =>
        `${text}\n\\getenv ${role}_password ${variable}\n` +
        `CREATE ROLE ${role} LOGIN PASSWORD :'${role}_password';\n` +
        `CREATE DATABASE ${database} OWNER ${role};\n` +
        `REVOKE ALL ON DATABASE ${database} FROM PUBLIC;\n`,
    );
    // The postgres container reads the role's password from its environment, and .env holds
    // compose's, as it does the other services'.
    edit('docker-compose.yml', (text) =>
      insertAt(
        text,
        /^ {6}[A-Z0-9_]+_DB_PASSWORD: \$\{[A-Z0-9_]+_DB_PASSWORD\}$/,
        `      ${variable}: \${${variable}}\n`,
        'after',
        'docker-compose.yml',
      ),
    );
    edit('.env', (text) =>
      insertAt(
        text,
        /^[A-Z0-9_]+_DB_PASSWORD=.*$/,
        `${variable}=compose-${name}\n`,
        'after',
        '.env',
      ),
    );
  }

  edit('infra/Dockerfile', (text) => {
    const withPackage = insertAt(
      text,
      /^COPY services\/[a-z0-9-]+\/package\.json .*$/,
      `COPY services/${name}/package.json services/${name}/\n`,
      'after',
      'infra/Dockerfile',
    );
    return insertAt(
      withPackage,
      /^COPY services\/[a-z0-9-]+\/src .*$/,
      `COPY services/${name}/src services/${name}/src\n`,
      'after',
      'infra/Dockerfile',
    );
  });

  if (isPublic) {
    const key = camel(resource);
    const gateway = 'services/api-gateway/src';
    edit(`${gateway}/config.ts`, (text) =>
      insertAt(
        text,
        /^ {2}[A-Z0-9_]+_URL: serviceUrlSetting\(.*$/,
        `  ${urlVariable}: serviceUrlSetting('${name}', 'http://localhost:${port}'),\n`,
        'after',
        `${gateway}/config.ts`,
      ),
    );
    edit(`${gateway}/main.ts`, (text) =>
      insertAt(
        text,
        /^ {6}\w+: new Upstream\(.*$/,
        `      ${key}: new Upstream('${name}', config.${urlVariable}, timeout),\n`,
        'after',
        `${gateway}/main.ts`,
      ),
    );
    edit(`${gateway}/routes.ts`, (text) => {
      const withUpstream = insertAt(
        text,
        /^ {2}\w+: Upstream;$/,
        `  ${key}: Upstream;\n`,
        'after',
        `${gateway}/routes.ts`,
      );
      return insertAt(
        withUpstream,
        /^ {2}router\.\w+\('\/api\/.*proxyTo\(upstreams\.\w+\)\);$/,
        `  router.post('/api/${resource}', proxyTo(upstreams.${key}));\n` +
          `  router.get('/api/${resource}/:id', proxyTo(upstreams.${key}));\n`,
        'after',
        `${gateway}/routes.ts`,
      );
    });
  }
  return edits;
}

export async function generateService(root: string, options: NewService): Promise<Generated> {
  const { services, port, resource } = await validate(root, options);
  const { name } = options;
  let database: string | undefined;
  if (options.withDatabase) {
    const taken = new Set([
      ...services.flatMap((s) => (s.database ? [s.database] : [])),
      ...[...read(root, 'infra/postgres/init.sql').matchAll(/^CREATE DATABASE (\w+)\b/gm)].map(
        (m) => m[1],
      ),
      'postgres',
    ]);
    database = snake(name.replace(/-service$/, ''));
    if (taken.has(database)) database = snake(name);
    if (taken.has(database)) throw new UsageError(`a database named ${database} already exists`);
  }

  const files = new Map([
    ...renderTemplate(root, name, port, resource, options.withDatabase),
    ...registrations(
      root,
      name,
      port,
      database,
      resource,
      services,
      options.publicPath !== undefined,
    ),
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
  return {
    name,
    port,
    ...(database ? { database } : {}),
    path: `/api/${resource}`,
    files: [...files.keys()].sort(),
  };
}
