/**
 * What the compose run (`npm run test:compose`) needs besides the repository: where it
 * keeps what it builds, and how it runs a command. Everything lives outside the repository,
 * keyed by the pins it was made from, so a second run reuses it.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readPins } from '../../infra/stack/pins.ts';

export const pins = readPins();

/** The Docker side of the cache: a private engine's data, the Debian root filesystem. */
export function dockerCache(): string {
  return (
    process.env.SIGHTLINE_DOCKER_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sightline', 'docker')
  );
}

export { composeBinary } from '../../infra/bench/compose-binary.ts';

export const LOG_DIR = join(dockerCache(), 'logs');

/**
 * The compose files of the compose run: docker-compose.yml in classroom mode (the override
 * only swaps Prometheus' rules for prometheus/classroom-rules/), so a drill pages in minutes.
 */
export const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.classroom.yml'];

/**
 * Runs a command, its output appended to `log` (or shown, without one); fails with the
 * log's last lines.
 */
export async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; log?: string } = {},
): Promise<void> {
  let fd: number | undefined;
  if (options.log) {
    mkdirSync(LOG_DIR, { recursive: true });
    fd = openSync(options.log, 'a');
    writeFileSync(fd, `\n$ ${command} ${args.join(' ')}\n`);
  }
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', fd ?? 'inherit', fd ?? 'inherit'],
      });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) {
      const tail = options.log
        ? `; last lines of ${options.log}:\n` +
          readFileSync(options.log, 'utf8').trimEnd().split('\n').slice(-20).join('\n')
        : '';
      throw new Error(`${command} ${args.join(' ')} exited with ${code}${tail}`);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Runs a command and returns its standard output, or undefined when it fails. */
export async function output(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', () => resolve(undefined));
    child.once('exit', (code) => resolve(code === 0 ? out : undefined));
  });
}
