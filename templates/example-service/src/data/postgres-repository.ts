import type { Pool } from '@sightline/service';
import type { Example, NewExample } from '../domain/example.ts';
import type { ExampleRepository } from '../domain/ports.ts';

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
