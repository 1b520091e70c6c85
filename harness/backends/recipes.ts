/**
 * How each backend is built from source at its pinned version. Each Go module takes the
 * shortest route that works for it:
 *
 * - Prometheus: `go install module/cmd/...@version`, as its go.mod allows.
 * - Jaeger: its go.mod has a replace directive, which `go install …@version` refuses, so
 *   it is built with `go build` inside its downloaded module (`go mod download`).
 * - Alertmanager: embeds its web UI from ui/app/dist, built by an Elm toolchain and absent
 *   from the module download; built in a copy of the module with a placeholder page there
 *   (its API, which Grafana and our tests use, is complete).
 * - Collector: the OpenTelemetry Collector Builder with otel-collector/builder-config.yaml.
 * - Spotlight: npm, from infra/spotlight/package.json (compose's image installs the same).
 *
 * Release builds stamp their version into the binary with -ldflags; so do we, so that every
 * binary reports the version `.env` pins.
 *
 * There is no recipe for Loki: it is AGPL-licensed, and our machines never fetch, build or
 * run it. A user may bring a Loki binary of their own (SIGHTLINE_STACK_FROM_PATH=loki).
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { COLLECTOR_MANIFEST, type Backend, type BackendName } from '../../infra/stack/backends.ts';
import { goEnv, runLogged } from './build-commands.ts';
import { ROOT, pin, readPins, stackCache } from '../../infra/stack/pins.ts';

const pins = readPins();

/** Every step of a backend's build runs niced, its output in the backend's build log. */
const run = (log: string, command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv) =>
  runLogged(log, command, args, { cwd, env, nice: true });

interface Download {
  Dir: string;
  GoMod: string;
  Info: string;
}

/** Downloads a module version into the Go module cache and tells where it is. */
async function download(log: string, module: string): Promise<Download> {
  const out = join(stackCache(), 'logs', 'download.json');
  await run(log, 'sh', ['-c', `go mod download -json ${module} > ${out}`], ROOT, goEnv());
  return JSON.parse(readFileSync(out, 'utf8')) as Download;
}

function releaseTime(download: Download): string {
  return (JSON.parse(readFileSync(download.Info, 'utf8')) as { Time: string }).Time;
}

/** -ldflags for programs that report their version through prometheus/common/version. */
function commonVersionFlags(
  prefix: string,
  version: string,
  revision: string,
  date: string,
): string {
  return [
    '-s -w',
    `-X ${prefix}.Version=${version}`,
    `-X ${prefix}.Revision=${revision}`,
    `-X ${prefix}.Branch=HEAD`,
    `-X ${prefix}.BuildUser=sightline-stack-install`,
    `-X ${prefix}.BuildDate=${date}`,
  ].join(' ');
}

async function prometheus(backend: Backend, log: string): Promise<void> {
  const module = 'github.com/prometheus/prometheus';
  const moduleVersion = pin(pins, 'PROMETHEUS_GO_MODULE_VERSION');
  const dl = await download(log, `${module}@${moduleVersion}`);
  const ldflags = commonVersionFlags(
    'github.com/prometheus/common/version',
    backend.version,
    moduleVersion,
    releaseTime(dl),
  );
  await run(
    log,
    'go',
    [
      'install',
      '-tags',
      'netgo',
      '-ldflags',
      ldflags,
      `${module}/cmd/prometheus@${moduleVersion}`,
      `${module}/cmd/promtool@${moduleVersion}`,
    ],
    ROOT,
    goEnv({ GOBIN: backend.dir }),
  );
}

async function jaeger(backend: Backend, log: string): Promise<void> {
  const moduleVersion = pin(pins, 'JAEGER_GO_MODULE_VERSION');
  const dl = await download(log, `github.com/jaegertracing/jaeger@${moduleVersion}`);
  const prefix = 'github.com/jaegertracing/jaeger/internal/version';
  const ldflags = `-s -w -X ${prefix}.latestVersion=v${backend.version} -X ${prefix}.commitSHA=${moduleVersion} -X ${prefix}.date=${releaseTime(dl)}`;
  await run(
    log,
    'go',
    ['build', '-ldflags', ldflags, '-o', join(backend.dir, 'jaeger'), './cmd/jaeger'],
    dl.Dir,
    goEnv(),
  );
}

async function alertmanager(backend: Backend, log: string): Promise<void> {
  const dl = await download(log, `github.com/prometheus/alertmanager@v${backend.version}`);
  const src = join(backend.dir, 'src');
  cpSync(dl.Dir, src, { recursive: true });
  await run(log, 'chmod', ['-R', 'u+w', src], backend.dir);
  const dist = join(src, 'ui', 'app', 'dist');
  mkdirSync(dist, { recursive: true });
  // Alertmanager serves index.html only as its build output: gzip and brotli variants.
  const page =
    '<!doctype html><title>Alertmanager</title><p>This Alertmanager was built from source without its web UI. ' +
    'Its API is complete: see <a href="api/v2/alerts">api/v2/alerts</a>, or use Grafana.</p>\n';
  writeFileSync(join(dist, 'index.html.gz'), gzipSync(page));
  writeFileSync(join(dist, 'index.html.br'), brotliCompressSync(page));
  const ldflags = commonVersionFlags(
    'github.com/prometheus/common/version',
    backend.version,
    `v${backend.version}`,
    releaseTime(dl),
  );
  await run(
    log,
    'go',
    [
      'build',
      '-tags',
      'netgo',
      '-ldflags',
      ldflags,
      '-o',
      `${backend.dir}/`,
      './cmd/alertmanager',
      './cmd/amtool',
    ],
    src,
    goEnv(),
  );
  rmSync(src, { recursive: true, force: true });
}

async function otelcol(backend: Backend, log: string): Promise<void> {
  const manifest = readFileSync(COLLECTOR_MANIFEST, 'utf8');
  const distVersion = /^\s+version:\s*(\S+)/m.exec(manifest)?.[1];
  if (distVersion !== backend.version) {
    throw new Error(
      `${COLLECTOR_MANIFEST} says version ${distVersion}, .env pins ${backend.version}`,
    );
  }
  // Components of the collector's own release train must be of the pinned release.
  const stale = [...manifest.matchAll(/gomod:\s*(\S+)\s+(v0\.\S+)/g)].filter(
    (m) => m[2] !== `v${backend.version}`,
  );
  if (stale.length > 0)
    throw new Error(`components not at v${backend.version}: ${stale.map((m) => m[1]).join(', ')}`);

  const tools = join(stackCache(), 'tools', 'ocb', backend.version);
  await run(
    log,
    'go',
    ['install', `go.opentelemetry.io/collector/cmd/builder@v${backend.version}`],
    ROOT,
    goEnv({ GOBIN: tools }),
  );
  await run(log, join(tools, 'builder'), ['--config', COLLECTOR_MANIFEST], backend.dir, goEnv());
}

export const SPOTLIGHT_PACKAGE = join(ROOT, 'infra', 'spotlight', 'package.json');

async function spotlight(backend: Backend, log: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(SPOTLIGHT_PACKAGE, 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const wanted = manifest.dependencies['@spotlightjs/spotlight'];
  if (wanted !== backend.version)
    throw new Error(`${SPOTLIGHT_PACKAGE} has ${wanted}, .env pins ${backend.version}`);
  cpSync(SPOTLIGHT_PACKAGE, join(backend.dir, 'package.json'));
  // Under `npm run`, use the npm that runs us; otherwise the one on PATH.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  await run(log, npm[0]!, [...npm.slice(1), 'install', '--no-audit', '--no-fund'], backend.dir);
}

/** How to build each backend whose `source` is `build`; the others have none. */
export const recipes: Partial<
  Record<BackendName, (backend: Backend, log: string) => Promise<void>>
> = {
  otelcol,
  jaeger,
  prometheus,
  alertmanager,
  spotlight,
};
