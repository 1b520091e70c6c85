import { randomUUID } from 'node:crypto';
import type { ReadinessCheck } from '@sightline/service';
import type { Config } from '../config.ts';
import type { Example, NewExample } from '../domain/example.ts';
import type { ExampleRepository } from '../domain/ports.ts';

/** The repository, opened, with what the service must check and close because of it. */
export interface OpenedExampleRepository {
  repository: ExampleRepository;
  /** What must work before this instance takes traffic. */
  readiness: ReadinessCheck[];
  /** Closed after the last request has drained. */
  onStop: (() => Promise<void>)[];
}

/** The most records kept: memory is bounded whatever callers send. */
const CAPACITY = 10_000;

/**
 * Records kept in this process's memory: lost when it stops, not shared between replicas.
 * Enough for a service that only computes or forwards; a service whose records matter gets a
 * database (`npm run new-service -- <name> --with-database`).
 */
export class InMemoryExampleRepository implements ExampleRepository {
  private readonly records = new Map<string, Example>();

  insert(example: NewExample): Promise<Example> {
    const oldest = this.records.keys().next();
    if (this.records.size >= CAPACITY && !oldest.done) this.records.delete(oldest.value);
    const stored = { id: randomUUID(), name: example.name, createdAt: new Date() };
    this.records.set(stored.id, stored);
    return Promise.resolve(stored);
  }

  findById(id: string): Promise<Example | undefined> {
    return Promise.resolve(this.records.get(id));
  }
}

export function openExampleRepository(_config: Config): Promise<OpenedExampleRepository> {
  return Promise.resolve({
    repository: new InMemoryExampleRepository(),
    readiness: [],
    onStop: [],
  });
}
