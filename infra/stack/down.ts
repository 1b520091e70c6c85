/**
 * `npm run stack:down`: stops what `npm run stack` started and nothing else. The
 * supervisor stops its children in order; should it be gone, each process recorded in
 * .data/stack/pids/ (and the stack's PostgreSQL) is stopped directly, but only while its
 * pid still runs the command the stack started under it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOurs, readPids, removePid, type PidRecord } from './pid-files.ts';
import { STATE_DIR } from './processes.ts';

async function stop(record: PidRecord, timeoutMs: number): Promise<void> {
  if (!isOurs(record)) return removePid(record.name);
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isOurs(record) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (isOurs(record)) {
    console.log(`${record.name} (pid ${record.pid}) did not stop; killing it`);
    process.kill(record.pid, 'SIGKILL');
  }
  removePid(record.name);
}

const records = readPids();
const supervisor = records.find((r) => r.name === 'supervisor');
if (supervisor) await stop(supervisor, 60_000);

// Whatever outlived the supervisor (it was killed, say).
for (const record of readPids()) await stop(record, 15_000);

// The stack's PostgreSQL records its own pid; its command line names its data folder.
const postmaster = join(STATE_DIR, 'postgres', 'postmaster.pid');
if (existsSync(postmaster)) {
  const pid = Number(readFileSync(postmaster, 'utf8').split('\n')[0]);
  await stop({ name: 'postgres', pid, command: join(STATE_DIR, 'postgres') }, 15_000);
}

console.log(
  records.length > 0 ? 'The native stack is stopped.' : 'The native stack was not running.',
);
