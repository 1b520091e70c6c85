import { fileURLToPath } from 'node:url';
import { createPool, databaseCheck, migrate, type ReadinessCheck } from '@sightline/service';
import type { Config } from '../config.ts';
import type { ExampleRepository } from '../domain/ports.ts';
import { PostgresExampleRepository } from './postgres-repository.ts';

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

export interface Storage {
  repository: ExampleRepository;
  /** What must work before this instance takes traffic. */
  readiness: ReadinessCheck[];
  /** Closed after the last request has drained. */
  onStop: (() => Promise<void>)[];
}

/** The service's own PostgreSQL database, migrated to the newest schema before it serves. */
export async function openStorage(config: Config): Promise<Storage> {
  const pool = createPool(config.DATABASE_URL, {
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  await migrate(pool, MIGRATIONS);
  const readiness = databaseCheck(config.DATABASE_URL);
  return {
    repository: new PostgresExampleRepository(pool),
    readiness: [readiness],
    onStop: [() => pool.end(), () => readiness.close()],
  };
}
