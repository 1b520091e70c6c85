/**
 * A Docker engine for the compose run. If one answers (DOCKER_HOST, or the default socket),
 * it is used and nothing else is touched. Otherwise Debian's Docker Engine (`docker.io`,
 * installed with apt-get if missing) is started directly, without systemd, with everything
 * of its own: data in the cache (so built images and layers outlive the run), its state and
 * socket under /run/sightline-docker. Only an engine started here is stopped here.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerCache, LOG_DIR, output, run } from './tools.ts';

const RUN_DIR = '/run/sightline-docker';
const SOCKET = `unix://${RUN_DIR}/docker.sock`;
const PID_FILE = join(RUN_DIR, 'dockerd.pid');

export interface Engine {
  /** What DOCKER_HOST must be for the docker CLI and compose. */
  host: string | undefined;
  /** Stops the engine if this run started it. */
  stop(): Promise<void>;
}

async function answers(host: string | undefined): Promise<string | undefined> {
  const env = { ...process.env };
  if (host) env.DOCKER_HOST = host;
  else delete env.DOCKER_HOST;
  return (await output('docker', ['version', '--format', '{{.Server.Version}}'], env))?.trim();
}

async function onPath(program: string): Promise<boolean> {
  return (await output('sh', ['-c', `command -v ${program}`])) !== undefined;
}

/** Whether dpkg has every one of `packages` installed. */
async function installed(packages: string[]): Promise<boolean> {
  const status = await output('dpkg-query', ['-W', '-f=${Status}\n', ...packages]);
  const lines = status?.trim().split('\n') ?? [];
  return lines.length === packages.length && lines.every((l) => l.endsWith(' installed'));
}

/**
 * One apt-get at a time in this process; another process's apt-get (or dpkg) is waited for
 * through apt's own lock timeout instead of failing on `Could not get lock`.
 */
let aptQueue: Promise<void> = Promise.resolve();
const APT_LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

/**
 * Debian's packages, when a program is missing and we may install (root with apt-get). Safe
 * to call twice and from concurrent callers: calls queue, and what is installed is skipped.
 */
export function aptInstall(packages: string[]): Promise<void> {
  const next = aptQueue.then(() => aptInstallNow(packages));
  aptQueue = next.catch(() => {});
  return next;
}

async function aptInstallNow(packages: string[]): Promise<void> {
  if (await installed(packages)) return;
  if (process.getuid?.() !== 0 || !(await onPath('apt-get')))
    throw new Error(`missing: install ${packages.join(' ')} (Debian packages) first`);
  const log = join(LOG_DIR, 'apt-get.log');
  console.log(`… apt-get install ${packages.join(' ')} (log: ${log})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = [...APT_LOCK_WAIT, 'install', '-y', '--no-install-recommends', ...packages];
  try {
    await run('apt-get', install, { env, log });
  } catch {
    // A fresh machine may have no package lists yet.
    await run('apt-get', [...APT_LOCK_WAIT, 'update'], { env, log });
    await run('apt-get', install, { env, log });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startEngine(): Promise<Engine> {
  const existing = process.env.DOCKER_HOST;
  if (!(await onPath('dockerd')) || !(await onPath('docker'))) {
    if (await answers(existing)) return { host: existing, stop: async () => {} };
    await aptInstall(['docker.io']);
  }
  const version = await answers(existing);
  if (version) {
    console.log(`✓ Docker Engine ${version} (already running; used as it is)`);
    return { host: existing, stop: async () => {} };
  }
  const ours = await answers(SOCKET);
  if (ours) {
    console.log(`✓ Docker Engine ${ours} (the compose run's own, left by an earlier run)`);
    return { host: SOCKET, stop: () => stopOurs() };
  }

  mkdirSync(RUN_DIR, { recursive: true, mode: 0o700 });
  mkdirSync(LOG_DIR, { recursive: true });
  const log = join(LOG_DIR, 'dockerd.log');
  const child = spawn(
    'dockerd',
    [
      `--data-root=${join(dockerCache(), 'engine')}`,
      `--exec-root=${join(RUN_DIR, 'exec')}`,
      `--pidfile=${PID_FILE}`,
      `--host=${SOCKET}`,
    ],
    { detached: true, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] },
  );
  child.unref();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const started = await answers(SOCKET);
    if (started) {
      console.log(`✓ Docker Engine ${started} started (socket ${SOCKET}, log ${log})`);
      return { host: SOCKET, stop: () => stopOurs() };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
      throw new Error(`dockerd did not start; last lines of ${log}:\n${tail}`);
    }
    await sleep(250);
  }
}

/** Stops the engine this run started (its pid file is under RUN_DIR), and waits for it. */
async function stopOurs(): Promise<void> {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  if (!pid || !isRunning(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (isRunning(pid) && Date.now() < deadline) await sleep(200);
  if (isRunning(pid)) throw new Error(`dockerd (pid ${pid}) did not stop within 60 s`);
  console.log('✓ Docker Engine stopped');
}
