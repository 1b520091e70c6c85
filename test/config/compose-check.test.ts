/**
 * harness/compose-check, the compose-spec loader `npm run stack:check` runs on
 * docker-compose.yml, run here on the repository's compose file and on copies of it with one
 * thing broken: each rule about credentials must refuse its copy, naming the service. A copy
 * is a folder of symbolic links to the repository's files beside the changed compose file, so
 * the mounts, .env and everything else the checker looks at are the real ones.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { composeMemoryBudgetMiB } from '../../infra/stack/memory-budget.ts';
import { ROOT } from '../../infra/stack/pins.ts';

const COMPOSE = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

function composeCheck(projectDir: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOWORK: 'off',
    GOFLAGS: `${process.env.GOFLAGS ?? ''} -modcacherw`.trim(),
  };
  // A variable a user may have set in the shell would change what the checker reads.
  delete env.GRAFANA_ADMIN_PASSWORD;
  const budget = String(composeMemoryBudgetMiB());
  const result = spawnSync('go', ['run', '.', '-budget-mib', budget, projectDir], {
    cwd: join(ROOT, 'harness', 'compose-check'),
    env,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (result.error) throw new Error(`go run failed to start: ${result.error.message}`);
  return { code: result.status, output: result.stdout + result.stderr };
}

describe('harness/compose-check on credentials', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** The repository with docker-compose.yml changed by `change`. */
  function copyWith(change: (compose: string) => string): string {
    const changed = change(COMPOSE);
    assert.notEqual(changed, COMPOSE, 'the change did not apply');
    const dir = mkdtempSync(join(tmpdir(), 'sightline-compose-check-'));
    dirs.push(dir);
    for (const entry of readdirSync(ROOT)) {
      if (entry !== 'docker-compose.yml') symlinkSync(join(ROOT, entry), join(dir, entry));
    }
    writeFileSync(join(dir, 'docker-compose.yml'), changed);
    return dir;
  }

  test("when the repository's compose file is checked, then it passes", () => {
    const { code, output } = composeCheck(ROOT);
    assert.equal(code, 0, output);
  });

  test('when Grafana allows basic auth beside anonymous viewing, then the check fails, naming grafana', () => {
    for (const basic of ["'true'", null]) {
      const dir = copyWith((compose) =>
        compose.replace(
          /^ {6}GF_AUTH_BASIC_ENABLED: 'false'\n/m,
          basic ? `      GF_AUTH_BASIC_ENABLED: ${basic}\n` : '',
        ),
      );
      const { code, output } = composeCheck(dir);
      assert.notEqual(code, 0, output);
      assert.match(output, /grafana allows basic auth beside anonymous viewing/);
    }
  });

  test('when a service connects to PostgreSQL as the superuser, then the check fails, naming it', () => {
    const dir = copyWith((compose) =>
      compose.replace(
        /DATABASE_URL: postgres:\/\/order_service:[^@]+@/,
        'DATABASE_URL: postgres://postgres:postgres@',
      ),
    );
    const { code, output } = composeCheck(dir);
    assert.notEqual(code, 0, output);
    assert.match(output, /order-service connects to PostgreSQL as the superuser postgres/);
  });

  test('when two services share a PostgreSQL role, then the check fails, naming both', () => {
    const dir = copyWith((compose) =>
      compose.replace(
        /DATABASE_URL: postgres:\/\/payment_service:\$\{PAYMENT_SERVICE_DB_PASSWORD\}@/,
        'DATABASE_URL: postgres://user_service:${USER_SERVICE_DB_PASSWORD}@',
      ),
    );
    const { code, output } = composeCheck(dir);
    assert.notEqual(code, 0, output);
    assert.match(output, /payment-service and user-service share the PostgreSQL role user_service/);
  });
});

describe('docker-compose.yml and infra/postgres/init.sql', () => {
  test("when a service has a database, then compose connects it as that database's owner, whose password the postgres container gets from .env", () => {
    // Read without interpolation: the file as committed.
    const initSql = readFileSync(join(ROOT, 'infra', 'postgres', 'init.sql'), 'utf8');
    const owners = new Map(
      [...initSql.matchAll(/^CREATE DATABASE (\w+) OWNER (\w+);$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    const urls = [
      ...COMPOSE.matchAll(/DATABASE_URL: postgres:\/\/(\w+):\$\{(\w+)\}@postgres:5432\/(\w+)$/gm),
    ];
    assert.ok(urls.length >= 3, `only ${urls.length} DATABASE_URLs found`);
    for (const [, role, variable, database] of urls) {
      assert.equal(owners.get(database!), role, `${database} is not owned by ${role}`);
      assert.equal(variable, `${role!.toUpperCase()}_DB_PASSWORD`);
      assert.match(initSql, new RegExp(`^\\\\getenv ${role}_password ${variable}$`, 'm'));
      assert.match(COMPOSE, new RegExp(`^ {6}${variable}: \\$\\{${variable}\\}$`, 'm'));
    }
    assert.equal(owners.size, urls.length, 'a database no service connects to');
  });
});
