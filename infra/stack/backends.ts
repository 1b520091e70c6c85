import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT, pin, readPins, stackCache } from './pins.ts';

/** The collector's builder manifest: the components `npm run stack:install` builds it with. */
export const COLLECTOR_MANIFEST = join(ROOT, 'otel-collector', 'builder-config.yaml');

/**
 * The observability backends of the native stack, each in the version `.env` pins: where
 * its binaries live once installed, and how to ask a binary which version it is. The
 * installer, `npm run stack` and the version-parity test all read this one list.
 *
 * Loki is licensed under the AGPL, which our machines never fetch, build or run: it is in
 * the list so that a user can bring a binary of their own (SIGHTLINE_STACK_FROM_PATH=loki),
 * and is otherwise left out (see `inStack`).
 */
export type BackendName =
  'otelcol' | 'jaeger' | 'prometheus' | 'alertmanager' | 'loki' | 'spotlight';

export interface Binary {
  /** Absolute path of the installed binary in the cache. */
  cached: string;
  /** Names to look for on PATH instead, first match wins. */
  onPath: string[];
  /** Arguments that make it print its version. */
  versionArgs: string[];
}

export interface Backend {
  name: BackendName;
  /** The release, as pinned in .env. */
  version: string;
  /** Its folder in the cache, named by version. */
  dir: string;
  /**
   * `build`: `npm run stack:install` builds it into the cache. `bring-your-own`: never
   * fetched or built here (its licence); used only when it comes from PATH.
   */
  source: 'build' | 'bring-your-own';
  binaries: Record<string, Binary>;
  /** True when a binary's version output names the pinned release. */
  reportsPinnedVersion(output: string): boolean;
}

function escape(text: string): string {
  return text.replaceAll('.', '\\.');
}

/** "prometheus, version 3.16.0 (branch: …)": the style of Prometheus-family binaries. */
function prometheusStyle(version: string): (output: string) => boolean {
  return (output) => new RegExp(`version ${escape(version)}\\b`).test(output);
}

export function backends(pins = readPins(), cache = stackCache()): Record<BackendName, Backend> {
  const v = (key: string): string => pin(pins, key);
  const dir = (name: string, version: string): string => join(cache, name, version);
  const bin = (folder: string, file: string, onPath: string[], versionArgs = ['--version']) => ({
    cached: join(folder, file),
    onPath,
    versionArgs,
  });

  const otelcol = dir('otelcol', v('OTELCOL_VERSION'));
  const jaeger = dir('jaeger', v('JAEGER_VERSION'));
  const prometheus = dir('prometheus', v('PROMETHEUS_VERSION'));
  const alertmanager = dir('alertmanager', v('ALERTMANAGER_VERSION'));
  const loki = dir('loki', v('LOKI_VERSION'));
  const spotlight = dir('spotlight', v('SPOTLIGHT_VERSION'));

  return {
    otelcol: {
      name: 'otelcol',
      source: 'build',
      version: v('OTELCOL_VERSION'),
      dir: otelcol,
      binaries: {
        otelcol: bin(otelcol, 'build/otelcol-sightline', ['otelcol-sightline', 'otelcol-contrib']),
      },
      // "otelcol-sightline version 0.165.0"
      reportsPinnedVersion: (out) =>
        new RegExp(`version ${escape(v('OTELCOL_VERSION'))}\\b`).test(out),
    },
    jaeger: {
      name: 'jaeger',
      source: 'build',
      version: v('JAEGER_VERSION'),
      dir: jaeger,
      binaries: { jaeger: bin(jaeger, 'jaeger', ['jaeger'], ['version']) },
      // {"gitCommit":"…","gitVersion":"v2.13.0","buildDate":"…"}
      reportsPinnedVersion: (out) => out.includes(`"gitVersion":"v${v('JAEGER_VERSION')}"`),
    },
    prometheus: {
      name: 'prometheus',
      source: 'build',
      version: v('PROMETHEUS_VERSION'),
      dir: prometheus,
      binaries: {
        prometheus: bin(prometheus, 'prometheus', ['prometheus']),
        promtool: bin(prometheus, 'promtool', ['promtool']),
      },
      reportsPinnedVersion: prometheusStyle(v('PROMETHEUS_VERSION')),
    },
    alertmanager: {
      name: 'alertmanager',
      source: 'build',
      version: v('ALERTMANAGER_VERSION'),
      dir: alertmanager,
      binaries: {
        alertmanager: bin(alertmanager, 'alertmanager', ['alertmanager']),
        amtool: bin(alertmanager, 'amtool', ['amtool']),
      },
      reportsPinnedVersion: prometheusStyle(v('ALERTMANAGER_VERSION')),
    },
    loki: {
      name: 'loki',
      source: 'bring-your-own',
      version: v('LOKI_VERSION'),
      dir: loki,
      binaries: { loki: bin(loki, 'loki', ['loki'], ['-version']) },
      reportsPinnedVersion: prometheusStyle(v('LOKI_VERSION')),
    },
    spotlight: {
      name: 'spotlight',
      source: 'build',
      version: v('SPOTLIGHT_VERSION'),
      dir: spotlight,
      binaries: {
        // It has no --version; its help's first line names it ("Spotlight by Sentry - v4.11.8").
        spotlight: bin(spotlight, 'node_modules/.bin/spotlight', ['spotlight'], ['--help']),
      },
      reportsPinnedVersion: (out) =>
        new RegExp(`- v${escape(v('SPOTLIGHT_VERSION'))}\\b`).test(out),
    },
  };
}

/**
 * Which backends come from PATH instead of the cache: SIGHTLINE_STACK_FROM_PATH=all, or a
 * comma-separated list such as `prometheus,loki`.
 */
export function fromPath(name: BackendName): boolean {
  const setting = (process.env.SIGHTLINE_STACK_FROM_PATH ?? '').trim();
  if (setting === 'all' || setting === '1') return true;
  return setting
    .split(',')
    .map((s) => s.trim())
    .includes(name);
}

function which(names: string[]): string | undefined {
  for (const name of names) {
    for (const folder of (process.env.PATH ?? '').split(delimiter)) {
      const candidate = join(folder, name);
      if (folder && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Whether the native stack runs this backend: every backend we build, and a
 * bring-your-own one only when SIGHTLINE_STACK_FROM_PATH names it.
 */
export function inStack(backend: Backend): boolean {
  return backend.source === 'build' || fromPath(backend.name);
}

/** The backends the native stack runs, in the order of `backends()`. */
export function stackBackends(pins = readPins(), cache = stackCache()): Backend[] {
  return Object.values(backends(pins, cache)).filter(inStack);
}

/** The binary to run: the cached build, or the one on PATH when asked to. */
export function binaryPath(backend: Backend, binary: string): string {
  const spec = backend.binaries[binary];
  if (!spec) throw new Error(`${backend.name} has no binary ${binary}`);
  if (!fromPath(backend.name)) return spec.cached;
  const found = which(spec.onPath);
  if (!found) throw new Error(`${spec.onPath.join(' or ')} not found on PATH`);
  return found;
}

/** What the binary says its version is (stdout and stderr together: tools differ). */
export function versionOutput(backend: Backend, binary: string): string {
  const spec = backend.binaries[binary];
  if (!spec) throw new Error(`${backend.name} has no binary ${binary}`);
  const result = spawnSync(binaryPath(backend, binary), spec.versionArgs, {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}
