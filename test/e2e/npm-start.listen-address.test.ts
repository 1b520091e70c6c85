import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { SERVICES } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import { listeningSockets, processTree, socketInodes } from '../support/listening-sockets.ts';
import { freePort } from '../support/ports.ts';
import { scratchRepository } from '../support/scratch-repository.ts';

/**
 * `npm start` as a user runs it, with no HOST set: in a scratch copy of the repository (so
 * its `.data/`, the embedded PostgreSQL's data and the admin token, is the copy's), with its
 * PostgreSQL on a free port. Its services take their fixed ports, 8080 and 8001-8003, which
 * start.ts does not let a caller move; so this test needs them free (no `npm start` or native
 * stack of the developer's running), as `npm test` does in CI, and fails naming what holds them.
 */
const SERVICE_PORTS = SERVICES.map((s) => s.port);

const where = (s: { address: string; port: number }) =>
  s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;

/**
 * SIGTERM to the whole process group, as Ctrl-C in its terminal would reach all of it; then
 * wait until every process of it has exited, PostgreSQL included, before its files go.
 */
async function stop(start: ChildProcess): Promise<void> {
  if (start.pid === undefined) return;
  const tree = processTree(start.pid);
  const gone = () => tree.every((pid) => !existsSync(`/proc/${pid}`));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-start.pid!, name);
    } catch {
      // the group has exited already
    }
  };
  signal('SIGTERM');
  try {
    await eventually('npm start to stop', gone, 30_000);
  } catch {
    signal('SIGKILL');
    await eventually('npm start to be killed', gone);
  }
}

test(
  'when a user runs npm start, then every port its processes listen on is bound to 127.0.0.1, none to every interface',
  { timeout: 180_000 },
  async (t) => {
    const held = listeningSockets().filter((s) => SERVICE_PORTS.includes(s.port));
    assert.deepEqual(
      held.map(where),
      [],
      "npm start's ports are in use: stop what holds them (npm run stack:down) and run again",
    );
    const repository = scratchRepository();
    // As root, PostgreSQL runs as the postgres user, which must reach .data/postgres in the copy.
    chmodSync(repository, 0o755);
    const postgresPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      LOG_LEVEL: 'warn',
    };
    delete env.HOST;
    delete env.NODE_TEST_CONTEXT;
    const start = spawn('npm', ['start'], {
      cwd: repository,
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    start.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    t.after(async () => {
      await stop(start);
      rmSync(repository, { recursive: true, force: true });
    });

    const failed = new Promise<never>((_, reject) =>
      start.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${stderr}`))),
    );
    failed.catch(() => {});
    await Promise.race([
      failed,
      Promise.all(
        SERVICES.map((service) =>
          eventually(
            `${service.name} to be ready`,
            () =>
              fetch(`http://127.0.0.1:${service.port}/health/ready`).then(
                (response) => response.ok,
                () => false,
              ),
            120_000,
          ),
        ),
      ),
    ]);
    const ours = socketInodes(processTree(start.pid!));
    const listening = listeningSockets().filter((s) => ours.has(s.inode));

    assert.deepEqual(
      listening.map(where).sort(),
      [...SERVICE_PORTS, postgresPort].map((port) => `127.0.0.1:${port}`).sort(),
    );
  },
);
