/**
 * What every build from source shares (`npm run stack:install`, `npm run k8s:install`): a
 * command whose output goes to a build log, and the Go environment builds run in.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { ROOT } from '../../infra/stack/pins.ts';

/**
 * Runs a command with its output appended to `log`; fails with the log's last lines. With
 * `nice`, it runs under `nice -n SIGHTLINE_BUILD_NICE` (default 10), so a build on a shared
 * machine yields to everything else.
 */
export async function runLogged(
  log: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; nice?: boolean } = {},
): Promise<void> {
  const niceness = options.nice ? Number(process.env.SIGHTLINE_BUILD_NICE ?? 10) : 0;
  const [cmd, argv] =
    niceness > 0 ? ['nice', ['-n', String(niceness), command, ...args]] : [command, args];
  const cwd = options.cwd ?? ROOT;
  const fd = openSync(log, 'a');
  writeFileSync(fd, `\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n`);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(cmd, argv, {
        cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) {
      const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
      throw new Error(`${command} exited with ${code}; last lines of ${log}:\n${tail}`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The Go environment: SIGHTLINE_BUILD_JOBS limits parallel compilation on a shared machine. */
export function goEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const jobs = process.env.SIGHTLINE_BUILD_JOBS;
  const goflags = [process.env.GOFLAGS, '-modcacherw', jobs ? `-p=${jobs}` : ''];
  return {
    ...process.env,
    GOFLAGS: goflags.filter(Boolean).join(' '),
    // Some modules ship a go.work naming folders their download leaves out (Prometheus).
    GOWORK: 'off',
    ...(jobs ? { GOMAXPROCS: jobs } : {}),
    ...extra,
  };
}
