import { createCounter, logger, recordBusinessFacts } from '@sightline/telemetry';
import { faults } from '../faults.ts';
import { EmailTaken, UserNotFound, type NewUser, type User } from './user.ts';
import type { Passwords } from './passwords.ts';
import type { UserRepository } from './ports.ts';
import { WorkAbandoned } from './work-pool.ts';

const usersRegistered = createCounter('users_registered_total', 'Users registered.');

export class Users {
  private readonly repository: UserRepository;
  private readonly passwords: Passwords;
  constructor(repository: UserRepository, passwords: Passwords) {
    this.repository = repository;
    this.passwords = passwords;
  }

  /**
   * `signal` aborts when the caller has gone away. Before the hash starts, that drops it; after,
   * nothing is stored, so the caller's retry signs up afresh instead of meeting 409.
   */
  async register(input: NewUser, signal?: AbortSignal): Promise<User> {
    const passwordHash = await this.passwords.hash(input.password, { signal });
    if (signal?.aborted) throw new WorkAbandoned();
    const user = await this.repository.insert({
      email: input.email,
      name: input.name,
      passwordHash,
    });
    if (!user) throw new EmailTaken();
    usersRegistered.inc();
    // The user id is the customer's reference everywhere; the email and name never leave here.
    recordBusinessFacts({ customer_ref: user.id });
    logger.info({ event: 'sightline.user.registered', customer_ref: user.id }, 'user registered');
    return user;
  }

  async get(id: string): Promise<User> {
    recordBusinessFacts({ customer_ref: id });
    // Failure drills: a lookup that turns slow (userServiceLatency), and one that keeps a
    // little memory each time, like a cache that never evicts (memoryLeak).
    await faults.delay('userServiceLatency');
    const user = await this.repository.findById(id);
    if (!user) throw new UserNotFound(id);
    await faults.leakMemory('memoryLeak');
    return user;
  }
}
