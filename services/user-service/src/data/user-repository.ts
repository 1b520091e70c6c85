import type { Pool } from '@sightline/service';
import type { UserRepository } from '../domain/ports.ts';
import type { User } from '../domain/user.ts';

interface UserRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
}

const COLUMNS = 'id, email, name, created_at';

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, createdAt: row.created_at };
}

export class PostgresUserRepository implements UserRepository {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  async insert(user: {
    email: string;
    name: string;
    passwordHash: string;
  }): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(
      `insert into users (email, name, password_hash) values ($1, $2, $3)
       on conflict ((lower(email))) do nothing
       returning ${COLUMNS}`,
      [user.email, user.name, user.passwordHash],
    );
    return rows[0] && toUser(rows[0]);
  }

  async findById(id: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<UserRow>(`select ${COLUMNS} from users where id = $1`, [
      id,
    ]);
    return rows[0] && toUser(rows[0]);
  }
}
