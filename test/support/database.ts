import { randomBytes } from 'node:crypto';
import { fromUrl, type PostgresServer } from '../../infra/dev/embedded-postgres.ts';

function server() {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run tests with `npm test`');
  return fromUrl(url);
}

/**
 * A fresh, empty database for one test file, so no test sees another's records: on the run's
 * shared server, or on `postgres`, a server the test started for itself.
 */
export async function createTestDatabase(
  purpose: string,
  postgres: PostgresServer = server(),
): Promise<string> {
  const name = `${purpose}_${randomBytes(4).toString('hex')}`;
  await postgres.ensureDatabase(name);
  return postgres.url(name);
}

/** Runs one query against a test database: for asserting what was (or was not) stored. */
export { queryDatabase } from '../../infra/dev/query.ts';
