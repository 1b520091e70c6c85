/**
 * One install at a time per cache folder, across processes. Two `npm run stack:install` (or a
 * `stack:install` beside a `test:compose` that builds Compose into the same cache) must not
 * both delete and rebuild one folder: the second waits for the first, then finds its work
 * done. The lock is a directory (`mkdir` is atomic) holding the owner's pid; a lock whose
 * owner has died is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function owner(lock: string): number | undefined {
  try {
    return Number(readFileSync(join(lock, 'pid'), 'utf8')) || undefined;
  } catch {
    return undefined; // being created or removed right now
  }
}

/** Runs `work` while holding `<folder>.lock`; waits (and says so) while another holds it. */
export async function withInstallLock<T>(folder: string, work: () => Promise<T>): Promise<T> {
  const lock = `${folder}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = owner(lock);
    if (pid !== undefined && !alive(pid)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!told) console.log(`… waiting for another install (pid ${pid ?? '?'}) to finish ${folder}`);
    told = true;
    await sleep(500);
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
