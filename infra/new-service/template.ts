/**
 * The template (templates/example-service, itself type-checked, linted and tested like any
 * service) made into a new service's files: every `example`, in paths and contents, becomes
 * the new service's name or resource, and its `#region database` parts, its database-only
 * files and its in-memory stand-ins are kept or dropped by whether it has a database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export const TEMPLATE = 'templates/example-service';

export const snake = (kebab: string) => kebab.replaceAll('-', '_');
export const camel = (kebab: string) =>
  kebab.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const pascal = (kebab: string) => camel(kebab).replace(/^./, (c) => c.toUpperCase());
/** `gift-cards` → `gift-card`, `entries` → `entry`; anything else stays as it is. */
const singular = (kebab: string) => kebab.replace(/ies$/, 'y').replace(/([^s])s$/, '$1') || kebab;

export interface TemplateOptions {
  root: string;
  /** The new service's name (kebab-case). */
  name: string;
  port: number;
  /** What its routes serve, `/api/<resource>`. */
  resource: string;
  withDatabase: boolean;
}

const IN_MEMORY = /\.in-memory(\.[a-z]+)$/;

/**
 * Whether a template file belongs to a service with a database only: migrations, PostgreSQL
 * code, and a file that has an in-memory stand-in (`data/example-repository.ts` beside
 * `data/example-repository.in-memory.ts`).
 */
function databaseOnly(file: string, files: ReadonlySet<string>): boolean {
  const stem = file.replace(/(\.[a-z]+)$/, '.in-memory$1');
  return (
    file.split('/').includes('migrations') || /postgres/.test(basename(file)) || files.has(stem)
  );
}

/** The template's files, path under services/<name>/ → content, made the new service's own. */
export function renderTemplate(options: TemplateOptions): Map<string, string> {
  const { root, name, port, resource, withDatabase } = options;
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
    [/\bportSetting\(\d+\)/g, `portSetting(${port})`],
  ];
  const rename = (text: string) =>
    replacements.reduce(
      (out, [from, to]) =>
        typeof from === 'string' ? out.replaceAll(from, to) : out.replace(from, to),
      text,
    );
  // File names stay kebab-case: `create-example.response.test.ts` → `create-gift-card.…`.
  const renamePath = (path: string) =>
    path
      .replaceAll('example-service', name)
      .replaceAll('examples', plural)
      .replace(/example/g, entity);

  const dir = join(root, TEMPLATE);
  const files = new Set(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
      .filter((file) => !file.split('/').includes('node_modules')),
  );
  // A file's name in another's contents (an import) is renamed as the file is.
  const names = [...files]
    .map((file) => [basename(file), basename(renamePath(file))] as const)
    .filter(([from, to]) => from !== to)
    .sort(([a], [b]) => b.length - a.length);
  const out = new Map<string, string>();
  for (const file of files) {
    const inMemory = IN_MEMORY.test(file);
    if (withDatabase ? inMemory : databaseOnly(file, files)) continue;
    let text = readFileSync(join(dir, file), 'utf8').replace(
      /^[ \t]*\/\/ #region database\n([\s\S]*?)^[ \t]*\/\/ #endregion database\n/gm,
      (_m, inside: string) => (withDatabase ? inside : ''),
    );
    if (file === 'package.json') {
      const pkg = JSON.parse(text) as { name: string; dependencies: Record<string, string> };
      pkg.name = `@sightline/${name}`;
      if (!withDatabase) delete pkg.dependencies.pg;
      text = `${JSON.stringify(pkg, null, 2)}\n`;
    }
    for (const [from, to] of names) text = text.replaceAll(from, to);
    out.set(join('services', name, renamePath(file.replace(IN_MEMORY, '$1'))), rename(text));
  }
  return out;
}
