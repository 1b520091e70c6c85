import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { packagedInstallation, startEmbeddedPostgres } from '../../infra/dev/embedded-postgres.ts';
import { queryDatabase } from '../support/database.ts';
import { freePort } from '../support/ports.ts';

const cleanup: string[] = [];
after(async () => {
  for (const path of cleanup) await rm(path, { recursive: true, force: true });
});

test('when the repository sits in a private directory (mode 0700, as /root is), then the embedded PostgreSQL starts, and finds its data again after a restart', async () => {
  // A stand-in for a checkout under /root: the binaries and the data directory inside it.
  const repository = await mkdtemp(join(tmpdir(), 'sightline-private-'));
  cleanup.push(repository);
  assert.equal((await stat(repository)).mode & 0o777, 0o700);
  const installDir = join(repository, 'node_modules', 'postgres');
  cpSync(await packagedInstallation(), installDir, { recursive: true, dereference: true });
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
