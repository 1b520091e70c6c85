import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { folderLoops, importsIntoPackageSources, importsOf } from '../support/import-graph.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function trackedTypeScript(root: string): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
}

/** Lines of a planted file (built here, so this file's own text imports nothing of them). */
const importing = (specifier: string) => `import { x } from '${specifier}';\n`;
const reExporting = (specifier: string) => `export * from '${specifier}';\n`;
const loading = (specifier: string) => `await import('${specifier}');\n`;

/** A small repository of its own, with the files given (path → content). */
function plantedRepository(files: Record<string, string>): { root: string; files: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'sightline-imports-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, files: Object.keys(files).filter((path) => path.endsWith('.ts')) };
}

describe('what imports what', () => {
  const planted: string[] = [];
  after(() => {
    for (const root of planted) rmSync(root, { recursive: true, force: true });
  });

  test("when a file outside a package imports it, then it goes through the package's exports, never into its src/", () => {
    const into = importsIntoPackageSources(importsOf(ROOT, trackedTypeScript(ROOT)));
    assert.deepEqual(
      into.map(({ file, specifier }) => `${file}: ${specifier}`),
      [],
      "import the package by name (its package.json's exports), not a file of its src/",
    );
  });

  test('when the folders import each other, then no import leads back to the folder it left', () => {
    const loops = folderLoops(importsOf(ROOT, trackedTypeScript(ROOT)));
    assert.deepEqual(
      loops.map((loop) => loop.join(' → ')),
      [],
      'move what both folders need to a module they can both import',
    );
  });

  test("when a planted file reaches into a package's src/, by path or by package name, then the check names it", () => {
    const repository = plantedRepository({
      'packages/kit/package.json': '{ "name": "@sightline/kit" }',
      'packages/kit/src/index.ts': reExporting('./tracing.ts'),
      'packages/kit/src/tracing.ts': 'export const x = () => {};\n',
      'packages/kit/test/tracing.test.ts': importing('../src/tracing.ts'),
      'infra/bench/worker.ts':
        importing('../../packages/kit/src/tracing.ts') +
        loading('@sightline/kit/src/tracing.ts') +
        importing('@sightline/kit'),
    });
    planted.push(repository.root);
    const into = importsIntoPackageSources(importsOf(repository.root, repository.files));
    assert.deepEqual(
      into.map(({ file, specifier }) => `${file}: ${specifier}`),
      [
        'infra/bench/worker.ts: ../../packages/kit/src/tracing.ts',
        'infra/bench/worker.ts: @sightline/kit/src/tracing.ts',
      ],
    );
  });

  test('when two planted folders import each other, by path or by package name, then the loop is reported', () => {
    const repository = plantedRepository({
      'infra/bench/compose.ts': importing('../compose-run/tools.ts'),
      'infra/compose-run/tools.ts': "export const x = 'compose';\n",
      'infra/compose-run/run.ts': importing('../bench/compose.ts'),
      'packages/one/package.json': '{ "name": "@sightline/one" }',
      'packages/one/src/index.ts': reExporting('@sightline/two'),
      'packages/two/package.json': '{ "name": "@sightline/two" }',
      'packages/two/src/index.ts': loading('@sightline/three'),
      'packages/three/package.json': '{ "name": "@sightline/three" }',
      'packages/three/src/index.ts': reExporting('../../one/src/index.ts'),
    });
    planted.push(repository.root);
    assert.deepEqual(folderLoops(importsOf(repository.root, repository.files)), [
      ['infra/bench', 'infra/compose-run', 'infra/bench'],
      ['packages/one', 'packages/two', 'packages/three', 'packages/one'],
    ]);
  });
});
