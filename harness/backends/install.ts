/**
 * `npm run stack:install`: every backend of the native stack, in exactly the version `.env`
 * pins, built into a cache outside the repository (SIGHTLINE_STACK_CACHE, default
 * ~/.cache/sightline/stack). What is already there and reports the pinned version is kept,
 * so a second run takes seconds.
 *
 *   npm run stack:install                          build what is missing
 *   npm run stack:install -- prometheus jaeger     only these
 *   SIGHTLINE_STACK_FROM_PATH=all|prometheus,…     use binaries on PATH instead; only checks them
 *   SIGHTLINE_BUILD_NICE=15 SIGHTLINE_BUILD_JOBS=1   be gentle on a shared machine
 *
 * The backends are Go programs, built from their Go modules (the Go module proxy is all
 * our machines reach), Spotlight comes from npm. Build logs go to <cache>/logs.
 *
 * Loki is AGPL-licensed and is never fetched or built here: it runs natively only from a
 * binary of your own (SIGHTLINE_STACK_FROM_PATH=loki), whose version this checks.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  backends,
  binaryPath,
  fromPath,
  versionOutput,
  type Backend,
  type BackendName,
} from '../../infra/stack/backends.ts';
import { COLLECTOR_MANIFEST } from '../../infra/stack/backends.ts';
import { SPOTLIGHT_PACKAGE, recipes } from './recipes.ts';
import { withInstallLock } from '../../infra/stack/install-lock.ts';
import { readPins, stackCache } from '../../infra/stack/pins.ts';

const cache = stackCache();
const all = backends(readPins(), cache);
const wanted = process.argv.slice(2) as BackendName[];
for (const name of wanted) {
  if (!(name in all))
    throw new Error(`unknown backend ${name}; known: ${Object.keys(all).join(', ')}`);
}
const chosen = wanted.length > 0 ? wanted.map((name) => all[name]) : Object.values(all);

/**
 * What a build depends on besides its version: the collector's manifest (adding a component
 * keeps the version), Spotlight's package.json. Stored beside the build; a mismatch means
 * rebuild.
 */
const INPUTS: Partial<Record<BackendName, string>> = {
  otelcol: COLLECTOR_MANIFEST,
  spotlight: SPOTLIGHT_PACKAGE,
};

function inputs(backend: Backend): string {
  const file = INPUTS[backend.name];
  return file ? createHash('sha256').update(readFileSync(file)).digest('hex') : '';
}

function stampFile(backend: Backend): string {
  return join(backend.dir, '.inputs');
}

function upToDate(backend: Backend): boolean {
  const stamp = existsSync(stampFile(backend))
    ? readFileSync(stampFile(backend), 'utf8')
    : undefined;
  return stamp === inputs(backend) && wrongVersions(backend).length === 0;
}

/** Names every binary of the backend whose version output misses the pin (or is absent). */
function wrongVersions(backend: Backend): string[] {
  return Object.keys(backend.binaries).filter((binary) => {
    if (!fromPath(backend.name) && !existsSync(backend.binaries[binary]!.cached)) return true;
    try {
      return !backend.reportsPinnedVersion(versionOutput(backend, binary));
    } catch {
      return true; // not on PATH
    }
  });
}

mkdirSync(join(cache, 'logs'), { recursive: true });
let failed = false;
await withInstallLock(cache, async () => {
  for (const backend of chosen) {
    const label = `${backend.name} ${backend.version}`;
    const recipe = recipes[backend.name];
    if (backend.source === 'bring-your-own' && !fromPath(backend.name)) {
      console.log(
        `– ${label}: not installed (AGPL, never built here); SIGHTLINE_STACK_FROM_PATH=${backend.name} uses your own`,
      );
      continue;
    }
    if (fromPath(backend.name) || !recipe) {
      const wrong = wrongVersions(backend);
      if (wrong.length === 0) {
        const paths = Object.keys(backend.binaries).map((b) => binaryPath(backend, b));
        console.log(`✓ ${label} from PATH (${paths.join(', ')})`);
      } else {
        failed = true;
        console.error(
          `✗ ${label}: on PATH, ${wrong.join(', ')} not found or not version ${backend.version}`,
        );
      }
      continue;
    }
    if (upToDate(backend)) {
      console.log(`✓ ${label} (cached in ${backend.dir})`);
      continue;
    }
    const log = join(cache, 'logs', `${backend.name}-${backend.version}.log`);
    console.log(`… ${label}: building (log: ${log})`);
    const started = Date.now();
    try {
      // A half-finished earlier attempt is not reused.
      rmSync(backend.dir, { recursive: true, force: true });
      mkdirSync(backend.dir, { recursive: true });
      writeFileSync(log, '');
      // What the build is made from, read before it starts: an input edited while it runs
      // must not be recorded as built.
      const builtFrom = inputs(backend);
      await recipe(backend, log);
      const wrong = wrongVersions(backend);
      if (wrong.length > 0)
        throw new Error(`built, but ${wrong.join(', ')} do not report ${backend.version}`);
      writeFileSync(stampFile(backend), builtFrom);
      console.log(`✓ ${label} built in ${Math.round((Date.now() - started) / 1000)} s`);
    } catch (error) {
      failed = true;
      console.error(`✗ ${label}: ${(error as Error).message}`);
    }
  }
});
process.exitCode = failed ? 1 : 0;
