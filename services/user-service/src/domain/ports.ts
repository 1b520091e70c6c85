import type { User } from './user.ts';

export interface UserRepository {
  /** Inserts the user; returns `undefined` if the email is already taken. */
  insert(user: { email: string; name: string; passwordHash: string }): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
}
