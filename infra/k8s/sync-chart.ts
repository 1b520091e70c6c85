/**
 * `npm run chart:sync`: brings the Helm chart up to date with the repository after a config
 * file, a pin in .env, a memory limit in docker-compose.yml or the service list changed
 * (infra/k8s/chart-files.ts says what it takes from where), then renders the plain manifest
 * deploy/k8s/sightline.yaml from it. `npm run test:k8s` fails until this has been run.
 * Rendering needs Helm: `npm run k8s:install` first.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CHART, MANIFEST, chartFiles, syncedValues } from './chart-files.ts';
import { renderManifest } from './render.ts';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

const filesDir = join(CHART, 'files');
const wanted = chartFiles();
let changed = 0;
for (const stale of listFiles(filesDir).filter((path) => !wanted.has(path))) {
  rmSync(join(filesDir, stale));
  console.log(`removed files/${stale}`);
  changed++;
}
for (const [path, content] of wanted) {
  const target = join(filesDir, path);
  if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  console.log(`wrote files/${path}`);
  changed++;
}
const valuesFile = join(CHART, 'values.yaml');
const values = syncedValues(readFileSync(valuesFile, 'utf8'));
if (values !== readFileSync(valuesFile, 'utf8')) {
  writeFileSync(valuesFile, values);
  console.log('updated values.yaml (image tags, memory)');
  changed++;
}
const manifest = await renderManifest();
if (!existsSync(MANIFEST) || readFileSync(MANIFEST, 'utf8') !== manifest) {
  mkdirSync(dirname(MANIFEST), { recursive: true });
  writeFileSync(MANIFEST, manifest);
  console.log(`rendered ${relative(process.cwd(), MANIFEST)}`);
  changed++;
}
console.log(changed === 0 ? 'chart and manifest already up to date' : `${changed} changes`);
