/**
 * infra/postgres/init.sql, run as the postgres image runs it on a new volume (psql as the
 * superuser, stopping at the first error), against a PostgreSQL server of its own that this
 * file starts: init.sql takes the superuser's password away, which no shared server survives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { databasePasswordVariable, databaseRole, SERVICES } from '../../infra/dev/services.ts';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresServer,
} from '../../infra/dev/embedded-postgres.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { freePort } from '../support/ports.ts';

const INIT_SQL = join(ROOT, 'infra', 'postgres', 'init.sql');
const WITH_DATABASE = SERVICES.filter((s) => s.database);

async function startServer(): Promise<{ server: EmbeddedPostgresServer; port: number }> {
  const port = await freePort();
  const dataDir = join(mkdtempSync(join(tmpdir(), 'sightline-init-sql-')), 'data');
  return {
    server: await startEmbeddedPostgres({ dataDir, port, persistent: false, fast: true }),
    port,
  };
}

/** psql runs init.sql as the image's entrypoint does: `-v ON_ERROR_STOP=1 --no-psqlrc -f`. */
function runInitSql(port: number, env: Record<string, string>) {
  return spawnSync(
    'psql',
    [
      ...['-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '-h', '127.0.0.1', '-p', String(port)],
      ...['-U', 'postgres', '-d', 'postgres', '-f', INIT_SQL],
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, PGPASSWORD: 'postgres', ...env } },
  );
}

async function connect(port: number, user: string, password: string, database: string) {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database });
  await client.connect();
  return client;
}

async function refusal(
  port: number,
  user: string,
  password: string,
  database: string,
): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database });
  try {
    await client.connect();
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => {});
  }
  throw new Error(`${user} connected to ${database}`);
}

describe('init.sql on a new PostgreSQL volume', () => {
  let port: number;
  let server: EmbeddedPostgresServer | undefined;
  const passwords = Object.fromEntries(
    WITH_DATABASE.map((s) => [s.name, randomBytes(18).toString('base64url')]),
  );
  before(async () => {
    ({ server, port } = await startServer());
    const result = runInitSql(
      port,
      Object.fromEntries(
        WITH_DATABASE.map((s) => [databasePasswordVariable(s.name), passwords[s.name]!]),
      ),
    );
    assert.equal(result.status, 0, result.stderr);
  });
  after(() => server?.stop());

  test('when it has run, then each service with a database has its own role that owns that database, and no superuser power', async () => {
    assert.ok(WITH_DATABASE.length >= 3);
    for (const service of WITH_DATABASE) {
      const role = databaseRole(service.name);
      const client = await connect(port, role, passwords[service.name]!, service.database!);
      try {
        const { rows } = await client.query<{ owner: string; superuser: boolean; login: string }>(
          `select (select datdba::regrole::text from pg_database where datname = current_database()) as owner,
                  (select rolsuper from pg_roles where rolname = current_user) as superuser,
                  current_user as login`,
        );
        assert.deepEqual(rows[0], { owner: role, superuser: false, login: role }, service.name);
        // Its migrations create tables in its own database.
        await client.query('create table migration_check (id int primary key)');
      } finally {
        await client.end();
      }
    }
  });

  test("when a service's role connects to another service's database, then PostgreSQL refuses it", async () => {
    for (const service of WITH_DATABASE) {
      for (const other of WITH_DATABASE.filter((s) => s !== service)) {
        const code = await refusal(
          port,
          databaseRole(service.name),
          passwords[service.name]!,
          other.database!,
        );
        // 42501: permission denied for database (CONNECT was revoked from PUBLIC).
        assert.equal(code, '42501', `${service.name} → ${other.database}`);
      }
    }
  });

  test("when a role signs in with another role's password, then it is refused", async () => {
    const [first, second] = WITH_DATABASE;
    const code = await refusal(
      port,
      databaseRole(first!.name),
      passwords[second!.name]!,
      first!.database!,
    );
    assert.equal(code, '28P01');
  });

  test('when the superuser signs in over the network, then no password works, not even the one initdb had', async () => {
    assert.equal(await refusal(port, 'postgres', 'postgres', 'postgres'), '28P01');
    for (const service of WITH_DATABASE)
      assert.equal(await refusal(port, 'postgres', passwords[service.name]!, 'postgres'), '28P01');
  });
});

describe('init.sql without a password for a role', () => {
  let port: number;
  let server: EmbeddedPostgresServer | undefined;
  before(async () => ({ server, port } = await startServer()));
  after(() => server?.stop());

  test('when a role has no password in the environment, then init stops with an error instead of making a role without one', () => {
    const missing = WITH_DATABASE[0]!;
    const env = Object.fromEntries(
      WITH_DATABASE.filter((s) => s !== missing).map((s) => [
        databasePasswordVariable(s.name),
        'x'.repeat(24),
      ]),
    );
    const result = runInitSql(port, env);
    assert.notEqual(result.status, 0, result.stdout);
    // psql leaves the unset variable as it is written, which PostgreSQL refuses.
    assert.match(
      result.stderr,
      new RegExp(
        `ERROR: +syntax error[\\s\\S]*CREATE ROLE ${databaseRole(missing.name)} LOGIN PASSWORD :'`,
      ),
    );
  });
});
