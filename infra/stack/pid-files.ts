import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PID_DIR } from './processes.ts';

/**
 * One file per process the stack started, so `npm run stack:down` stops exactly those and
 * nothing else. Each records the command line too: a pid the system has since given to an
 * unrelated process is recognised and left alone.
 */
export interface PidRecord {
  name: string;
  pid: number;
  command: string;
}

export function writePid(record: PidRecord): void {
  mkdirSync(PID_DIR, { recursive: true });
  writeFileSync(join(PID_DIR, `${record.name}.pid`), JSON.stringify(record));
}

export function removePid(name: string): void {
  rmSync(join(PID_DIR, `${name}.pid`), { force: true });
}

export function readPids(): PidRecord[] {
  if (!existsSync(PID_DIR)) return [];
  return readdirSync(PID_DIR)
    .filter((file) => file.endsWith('.pid'))
    .map((file) => JSON.parse(readFileSync(join(PID_DIR, file), 'utf8')) as PidRecord);
}

/** True if the pid is alive and still runs the command we started under it. */
export function isOurs(record: PidRecord): boolean {
  try {
    const command = execFileSync('ps', ['-o', 'command=', '-p', String(record.pid)], {
      encoding: 'utf8',
    });
    return command.includes(record.command);
  } catch {
    return false; // ps exits non-zero when there is no such process
  }
}
