import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startRecordingServer } from '../support/recording-server.ts';
import { scratchRepository } from '../support/scratch-repository.ts';

/** `npm run fault` and `npm run drill` in a checkout with no .data/ (a fresh clone's state). */
describe('the admin token of npm run fault and npm run drill', () => {
  let repository: string;
  let payment: Awaited<ReturnType<typeof startRecordingServer>>;
  before(async () => {
    repository = scratchRepository();
    payment = await startRecordingServer({
      status: 200,
      body: { name: 'paymentFailure', on: false, options: {} },
    });
  });
  after(async () => {
    await payment.close();
    rmSync(repository, { recursive: true, force: true });
  });

  const run = async (script: string, args: string[], env: NodeJS.ProcessEnv) => {
    const environment: NodeJS.ProcessEnv = { ...process.env };
    delete environment.SIGHTLINE_ADMIN_TOKEN;
    Object.assign(environment, { PAYMENT_SERVICE_PORT: String(payment.port) }, env);
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], {
        cwd: repository,
        env: environment,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  test('when neither SIGHTLINE_ADMIN_TOKEN nor .data/admin-token is there, then both tools fail with one error naming both', async () => {
    const fault = await run('infra/faults/cli.ts', ['clear', 'paymentFailure'], {});
    const drill = await run('infra/drills/run.ts', ['payment-failure'], {});

    for (const { code, stderr } of [fault, drill]) {
      assert.equal(code, 1);
      assert.match(stderr, /No admin token: set SIGHTLINE_ADMIN_TOKEN .* \.data\/admin-token/);
    }
    assert.equal(payment.requests.length, 0);
  });

  test('when a run stops after the next run has written its token, then the next run keeps its token; its own stop removes it', async () => {
    // The scratch copy's module: its token file is the copy's .data/admin-token.
    const tokens = (await import(
      pathToFileURL(join(repository, 'infra/dev/admin-token.ts')).href
    )) as typeof import('../../infra/dev/admin-token.ts');
    const file = join(repository, '.data', 'admin-token');
    delete process.env.SIGHTLINE_ADMIN_TOKEN;

    const first = tokens.adminTokenForRun(); // `npm start`, still stopping ...
    const second = tokens.adminTokenForRun(); // ... when `npm run stack` starts
    tokens.forgetAdminToken(first);
    const kept = readFileSync(file, 'utf8').trim();
    tokens.forgetAdminToken(second);

    assert.notEqual(first, second);
    assert.equal(kept, second);
    assert.equal(existsSync(file), false);
  });

  test('when only .data/admin-token is there, then npm run fault sends it; when SIGHTLINE_ADMIN_TOKEN is set too, then that one', async () => {
    mkdirSync(join(repository, '.data'), { recursive: true });
    writeFileSync(join(repository, '.data', 'admin-token'), 'from-the-file\n', { mode: 0o600 });

    const fromFile = await run('infra/faults/cli.ts', ['clear', 'paymentFailure'], {});
    const fromEnv = await run('infra/faults/cli.ts', ['clear', 'paymentFailure'], {
      SIGHTLINE_ADMIN_TOKEN: 'from-the-environment',
    });

    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual(
      payment.requests.map((r) => [r.method, r.url, r.headers.authorization]),
      [
        ['DELETE', '/admin/faults/paymentFailure', 'Bearer from-the-file'],
        ['DELETE', '/admin/faults/paymentFailure', 'Bearer from-the-environment'],
      ],
    );
  });
});
