import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

const LOCK = new URL('../../infra/stack/install-lock.ts', import.meta.url).pathname;

/** One install: holds the lock on `folder` while it writes `start`, waits, writes `end`. */
const INSTALL = `
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { withInstallLock } from ${JSON.stringify(LOCK)};
const [folder, journal] = process.argv.slice(2);
await withInstallLock(folder, async () => {
  appendFileSync(journal, 'start ' + process.pid + '\\n');
  await sleep(300);
  appendFileSync(journal, 'end ' + process.pid + '\\n');
});
`;

describe('install steps side by side (infra/stack/install-lock.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-install-lock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'install.ts');
  writeFileSync(script, INSTALL);

  const install = (folder: string, journal: string) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [script, folder, journal], { stdio: 'ignore' });
      child.once('exit', resolve);
    });

  test('when two installs of one folder run at the same time, then the second waits for the first', async () => {
    const journal = join(dir, 'together.log');
    writeFileSync(journal, '');

    const codes = await Promise.all([
      install(join(dir, 'cache'), journal),
      install(join(dir, 'cache'), journal),
    ]);

    assert.deepEqual(codes, [0, 0]);
    const steps = readFileSync(journal, 'utf8').trim().split('\n');
    assert.equal(steps.length, 4);
    const [first, second] = [steps[0]!.split(' ')[1], steps[2]!.split(' ')[1]];
    assert.deepEqual(steps, [`start ${first}`, `end ${first}`, `start ${second}`, `end ${second}`]);
  });

  test('when a lock was left by a process that died, then the next install takes it over', async () => {
    const folder = join(dir, 'abandoned');
    const { stdout } = await promisify(execFile)('sh', ['-c', 'echo $$']);
    mkdirSync(`${folder}.lock`, { recursive: true });
    writeFileSync(join(`${folder}.lock`, 'pid'), stdout.trim()); // that shell has exited
    const journal = join(dir, 'abandoned.log');
    writeFileSync(journal, '');

    assert.equal(await install(folder, journal), 0);
    assert.match(readFileSync(journal, 'utf8'), /^start \d+\nend \d+\n$/);
  });
});
