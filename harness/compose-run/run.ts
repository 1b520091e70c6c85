/**
 * `npm run test:compose`: `docker compose up` on the real docker-compose.yml, then the compose
 * stack tests (test/compose) through its published ports, then `docker compose down -v`.
 *
 *   1. the backends' binaries (`npm run stack:install`; a no-op when cached) and Docker
 *      Compose (compose-install.ts);
 *   2. a Docker engine: the one that answers, or Debian's started privately (engine.ts);
 *   3. every image compose names, built locally or reused (images.ts);
 *   4. under /tmp/sightline-ports.lock (the native stack binds the same host ports):
 *      `docker compose up --wait --pull never` in classroom mode (docker-compose.classroom.yml,
 *      so test/compose's drill pages in a minute or two), with an admin token of this run's
 *      in SIGHTLINE_ADMIN_TOKEN as a user exports one; the tests; `docker compose down -v`;
 *   5. `npm test` once more, its PostgreSQL a container of the locally built POSTGRES_IMAGE
 *      through testcontainers (TEST_POSTGRES=container), the way a developer with Docker
 *      runs it; no image is pulled, and Ryuk (testcontainers' reaper, an image of its own)
 *      is off: the run stops its container itself;
 *   6. the engine stopped, if this run started it.
 *
 * `npm run bench:compose` does the same with the memory benchmark (infra/bench/compose.ts) in
 * place of the tests.
 *
 *   SIGHTLINE_COMPOSE_KEEP=1   leave the compose stack running afterwards
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { installCompose } from './compose-install.ts';
import { startEngine } from './engine.ts';
import { benchCompose } from '../../infra/bench/compose.ts';
import { buildImages, compose } from './images.ts';
import { pin, ROOT } from '../../infra/stack/pins.ts';
import { COMPOSE_FILES, output, pins, run } from './tools.ts';

const PORTS_LOCK = '/tmp/sightline-ports.lock';
const mode = process.argv[2] === 'bench' ? 'bench' : 'tests';
const started = Date.now();
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

/** Runs the up, tests and down of this file under the ports lock, in a child process. */
async function underPortsLock(): Promise<number | null> {
  const self = [process.execPath, new URL(import.meta.url).pathname, mode, '--stack'];
  const flock = (await output('sh', ['-c', 'command -v flock'])) !== undefined;
  console.log(
    flock
      ? `… taking ${PORTS_LOCK} (a native stack or another compose run holds the same ports)`
      : `flock(1) not found: running without ${PORTS_LOCK}`,
  );
  const [command, ...args] = flock ? ['flock', PORTS_LOCK, ...self] : self;
  const child = spawn(command!, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, SIGHTLINE_PORTS_LOCK_ASKED: String(Date.now()) },
  });
  return new Promise((resolve) => child.once('exit', resolve));
}

async function upTestDown(): Promise<number | null> {
  process.env.SIGHTLINE_ADMIN_TOKEN ||= randomBytes(24).toString('base64url');
  try {
    try {
      await compose(['up', '--wait', '--pull', 'never', '--no-build'], COMPOSE_FILES);
    } catch (error) {
      // What each container said, for whoever reads the failed run.
      await compose(['ps', '--all'], COMPOSE_FILES);
      await compose(['logs', '--no-color', '--tail', '40'], COMPOSE_FILES);
      throw error;
    }
    console.log(`✓ docker compose up: every service healthy (${seconds()})`);
    // For the test that the dashboards have data within two minutes of `up`.
    process.env.SIGHTLINE_COMPOSE_UP_AT = String(Date.now());
    if (mode === 'bench') {
      await benchCompose();
      return 0;
    }
    const tests = spawn(
      process.execPath,
      [
        '--test',
        '--test-concurrency=1',
        '--test-global-setup=test/compose/global-setup.ts',
        'test/compose/**/*.test.ts',
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    return await new Promise((resolve) => tests.once('exit', resolve));
  } finally {
    if (process.env.SIGHTLINE_COMPOSE_KEEP === '1')
      console.log('the compose stack is left running');
    else await compose(['down', '--volumes', '--timeout', '30'], COMPOSE_FILES);
  }
}

/** `npm test` with its PostgreSQL from a container (test/support/global-setup.ts). */
async function testsOnContainer(): Promise<number | null> {
  console.log(`… npm test on a ${pin(pins, 'POSTGRES_IMAGE')} container (testcontainers)`);
  const tests = spawn('npm', ['test'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEST_POSTGRES: 'container',
      POSTGRES_IMAGE: pin(pins, 'POSTGRES_IMAGE'),
      TESTCONTAINERS_RYUK_DISABLED: 'true',
    },
  });
  return new Promise((resolve) => tests.once('exit', resolve));
}

if (process.argv.includes('--stack')) {
  const asked = Number(process.env.SIGHTLINE_PORTS_LOCK_ASKED);
  if (asked) console.log(`✓ ports lock taken after ${Math.round((Date.now() - asked) / 1000)} s`);
  process.exitCode = (await upTestDown()) ?? 1;
} else {
  await run(process.execPath, ['harness/backends/install.ts'], { cwd: ROOT });
  await installCompose();
  const engine = await startEngine();
  if (engine.host) process.env.DOCKER_HOST = engine.host;
  try {
    await buildImages();
    let code = await underPortsLock();
    if (code === 0 && mode === 'tests') {
      code = await testsOnContainer();
      console.log(`npm test on testcontainers: ${code === 0 ? 'passed' : 'failed'} (${seconds()})`);
    }
    console.log(`compose run (${mode}): ${code === 0 ? 'passed' : 'failed'} in ${seconds()}`);
    process.exitCode = code ?? 1;
  } finally {
    if (process.env.SIGHTLINE_COMPOSE_KEEP !== '1') await engine.stop();
  }
}
