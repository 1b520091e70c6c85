import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { linkWorkspaces, scratchRepository } from '../support/scratch-repository.ts';

/**
 * `npm run new-service` twice in a row, with long names, into a scratch copy of the
 * repository: whatever it was given and whatever was generated before, the copy then passes
 * what `npm run typecheck`, `npm run lint` and the tests that read the service list check.
 */
describe('two new services with long names (the longest allowed among them), generated one after the other', () => {
  let scratch: string;
  const names = ['inventory-reservation-service', 'customer-notification-preference-service'];

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const result = spawnSync(process.execPath, args, {
      cwd: scratch,
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });
    return { ...result, output: `${result.stdout}${result.stderr}` };
  };
  const bin = (path: string) => join(scratch, 'node_modules', path);

  before(() => {
    scratch = scratchRepository();
    const first = run(['infra/new-service/cli.ts', names[0]!, '--with-database', '--no-install']);
    assert.equal(first.status, 0, first.output);
    const second = run([
      'infra/new-service/cli.ts',
      names[1]!,
      '--public',
      '/api/notification-preferences',
      '--no-install',
    ]);
    assert.equal(second.status, 0, second.output);
    linkWorkspaces(scratch);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('when both are generated, then the repository type-checks', () => {
    for (const project of ['tsconfig.json', 'load-tests/tsconfig.json']) {
      const typecheck = run([bin('typescript/bin/tsc'), '-p', project, '--noEmit']);
      assert.equal(typecheck.status, 0, typecheck.output);
    }
  });

  test('when both are generated, then every file is formatted and lint-clean', () => {
    const format = run([bin('prettier/bin/prettier.cjs'), '--check', '.']);
    assert.equal(format.status, 0, format.output);
    const lint = run([bin('eslint/bin/eslint.js'), '.']);
    assert.equal(lint.status, 0, lint.output);
  });

  test('when both are generated, then their own tests and the checks of the service list pass', () => {
    const tests = run(
      [
        '--test',
        '--test-concurrency=1',
        '--test-global-setup=test/support/global-setup.ts',
        ...names.map((name) => `services/${name}/test/*.test.ts`),
        'test/config/services-sync.test.ts',
        'test/config/compose-check.test.ts',
        'test/config/postgres-roles.test.ts',
      ],
      // compose-check builds with Go, which needs the environment's HOME and caches; the
      // inner run reports on its own, not to this one.
      {
        ...process.env,
        NODE_TEST_CONTEXT: undefined,
        TEST_DATABASE_URL: process.env.TEST_POSTGRES_URL,
      },
    );
    assert.equal(tests.status, 0, tests.output);
    assert.match(tests.stdout, /ℹ pass [1-9]\d*\n/);
    assert.match(tests.stdout, /ℹ fail 0\n/);
  });
});
