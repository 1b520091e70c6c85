import { createCounter } from '@sightline/telemetry';
import { ExampleNotFound, type Example, type NewExample } from './example.ts';
import type { ExampleRepository } from './ports.ts';

const created = createCounter('examples_created_total', 'Records created.');

/** The use cases. No Express, no SQL: routes call these, the repository stores. */
export class Examples {
  private readonly repository: ExampleRepository;
  constructor(repository: ExampleRepository) {
    this.repository = repository;
  }

  async create(input: NewExample): Promise<Example> {
    const example = await this.repository.insert(input);
    created.inc();
    return example;
  }

  async get(id: string): Promise<Example> {
    const example = await this.repository.findById(id);
    if (!example) throw new ExampleNotFound(id);
    return example;
  }
}
