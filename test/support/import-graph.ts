import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/**
 * What a repository's TypeScript files import, as checks on its layout: no file reaches into
 * another package's `src/` (only its `exports` are its surface), and no two folders import
 * each other, however indirectly. Only written specifiers count (`import … from '…'`,
 * `import('…')`, `export … from '…'`); an import built from a template string is not seen.
 */

export interface Import {
  /** The importing file, relative to the root, with `/` separators. */
  file: string;
  specifier: string;
  /** The imported file or folder, relative to the root; `undefined` for npm packages. */
  target?: string;
}

// A statement at the start of a line (not an import written inside a string), a side-effect
// import, and a dynamic import.
const SPECIFIERS = [
  /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*'([^']+)'/gm,
  /^\s*import\s*'([^']+)'/gm,
  /\bimport\(\s*'([^']+)'\s*\)/g,
];
const SCOPE = '@sightline/';

const posix = (path: string) => path.split(sep).join('/');

/** The workspace folder of a `@sightline/<name>` package, if the root has it. */
function workspaceOf(root: string, name: string): string | undefined {
  return ['packages', 'services', 'templates']
    .map((parent) => `${parent}/${name}`)
    .find((folder) => existsSync(join(root, folder, 'package.json')));
}

export function importsOf(root: string, files: string[]): Import[] {
  const found: Import[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const specifiers = SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)]);
    for (const [, specifier = ''] of specifiers) {
      let target: string | undefined;
      if (specifier.startsWith('.')) {
        target = posix(normalize(relative(root, join(root, dirname(file), specifier))));
      } else if (specifier.startsWith(SCOPE)) {
        const [name = '', ...rest] = specifier.slice(SCOPE.length).split('/');
        const folder = workspaceOf(root, name);
        if (folder) target = [folder, ...rest].join('/');
      }
      found.push({ file, specifier, target });
    }
  }
  return found;
}

/** The package a path lies in (`packages/<name>`), if any. */
function packageOf(path: string): string | undefined {
  const [top, name] = path.split('/');
  return top === 'packages' && name ? `packages/${name}` : undefined;
}

/**
 * Imports that reach into a package's `src/` from outside the package: a relative path
 * (`../../packages/telemetry/src/tracing.ts`) or a deep package path
 * (`@sightline/telemetry/src/tracing.ts`). A package's own files, its tests included, may.
 */
export function importsIntoPackageSources(imports: Import[]): Import[] {
  return imports.filter(({ file, specifier, target }) => {
    if (specifier.startsWith(SCOPE) && specifier.split('/')[2] === 'src') return true;
    const pkg = target && packageOf(target);
    return Boolean(pkg && target?.startsWith(`${pkg}/src/`) && packageOf(file) !== pkg);
  });
}

/**
 * The folder a path belongs to in the import graph: a package, service or template (its
 * tests apart, since nothing ships them), a folder of infra/ or test/, else the top-level
 * folder.
 */
export function folderOf(path: string): string {
  const parts = path.split('/');
  const [top = '', name] = parts;
  if (parts.length === 1) return '.';
  if (['packages', 'services', 'templates'].includes(top) && name) {
    return parts[2] === 'test' ? `${top}/${name}/test` : `${top}/${name}`;
  }
  if (['infra', 'test'].includes(top) && parts.length > 2 && name) return `${top}/${name}`;
  return top;
}

/** Every import loop between folders, each as the folders in order, the first repeated last. */
export function folderLoops(imports: Import[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const { file, target } of imports) {
    if (!target) continue;
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)?.add(to);
  }
  // Tarjan's strongly connected components: each with more than one folder holds a loop.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component);
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => loopThrough(component, edges));
}

/** One loop through a component: from its first folder, the shortest way back to it. */
function loopThrough(component: string[], edges: Map<string, Set<string>>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] ?? '';
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() ?? '';
    for (const next of edges.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0] ?? '') ?? start);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...component, component[0] ?? ''];
}
