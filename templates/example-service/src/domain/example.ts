export interface Example {
  id: string;
  name: string;
  createdAt: Date;
}

export interface NewExample {
  name: string;
}

export class ExampleNotFound extends Error {
  readonly exampleId: string;
  constructor(exampleId: string) {
    super(`${exampleId} does not exist`);
    this.exampleId = exampleId;
    this.name = 'ExampleNotFound';
  }
}
