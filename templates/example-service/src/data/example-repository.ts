import { fileURLToPath } from 'node:url';
import { openDatabase, type Pool, type ReadinessCheck } from '@sightline/service';
import type { Config } from '../config.ts';
import type { Example, NewExample } from '../domain/example.ts';
import type { ExampleRepository } from '../domain/ports.ts';

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

/** The repository, opened, with what the service must check and close because of it. */
export interface OpenedExampleRepository {
  repository: ExampleRepository;
  /** What must work before this instance takes traffic. */
  readiness: ReadinessCheck[];
  /** Closed after the last request has drained. */
  onStop: (() => Promise<void>)[];
}

interface ExampleRow {
  id: string;
  name: string;
  created_at: Date;
}

const COLUMNS = 'id, name, created_at';

function toExample(row: ExampleRow): Example {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export class PostgresExampleRepository implements ExampleRepository {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async insert(example: NewExample): Promise<Example> {
    const { rows } = await this.pool.query<ExampleRow>(
      `insert into examples (name) values ($1) returning ${COLUMNS}`,
      [example.name],
    );
    return toExample(rows[0] as ExampleRow);
  }

  async findById(id: string): Promise<Example | undefined> {
    const { rows } = await this.pool.query<ExampleRow>(
      `select ${COLUMNS} from examples where id = $1`,
      [id],
    );
    return rows[0] && toExample(rows[0]);
  }
}

/** The service's own PostgreSQL database, migrated to the newest schema before it serves. */
export async function openExampleRepository(config: Config): Promise<OpenedExampleRepository> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    migrations: MIGRATIONS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  return {
    repository: new PostgresExampleRepository(database.pool),
    readiness: [database.readiness],
    onStop: [database.stop],
  };
}
