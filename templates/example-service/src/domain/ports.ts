import type { Example, NewExample } from './example.ts';

/** What the domain needs from storage; src/data/ implements it. */
export interface ExampleRepository {
  insert(example: NewExample): Promise<Example>;
  findById(id: string): Promise<Example | undefined>;
}
