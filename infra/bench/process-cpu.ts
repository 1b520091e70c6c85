import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPids } from '../stack/pid-files.ts';
import { STATE_DIR } from '../stack/processes.ts';

/** Linux counts a process's CPU time in clock ticks, 100 a second on every common kernel. */
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds a process has used so far, or undefined if it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis don't.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The stack's PostgreSQL: its postmaster and every backend process it forked. */
function postgresPids(): number[] {
  const file = join(STATE_DIR, 'postgres', 'postmaster.pid');
  if (!existsSync(file)) return [];
  const postmaster = Number(readFileSync(file, 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => parentOf(pid) === postmaster);
  return [postmaster, ...children];
}

/** CPU seconds used so far by each process of the native stack, PostgreSQL's summed as one. */
export function stackCpu(): Map<string, number> {
  const figures = new Map<string, number>();
  for (const record of readPids()) {
    const seconds = cpuSeconds(record.pid);
    if (seconds !== undefined) figures.set(record.name, seconds);
  }
  const postgres = postgresPids()
    .map(cpuSeconds)
    .reduce<number>((sum, seconds) => sum + (seconds ?? 0), 0);
  figures.set('postgres (all processes)', postgres);
  figures.set(
    'load generator (this process)',
    process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  );
  return figures;
}

/**
 * Each process's share of one core between two readings, in percent (100 = one core busy the
 * whole time). PostgreSQL backends that came and went in between are not counted.
 */
export function cpuPercent(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
): Map<string, number> {
  const shares = new Map<string, number>();
  for (const [name, used] of after) {
    shares.set(name, ((used - (before.get(name) ?? 0)) / seconds) * 100);
  }
  return shares;
}
