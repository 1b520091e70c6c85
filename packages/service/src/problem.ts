import { z } from 'zod';

/** An RFC 9457 problem detail, the body of every error response (`application/problem+json`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(slug: string): string {
  return `urn:sightline:problem:${slug}`;
}

/**
 * An error that already knows its HTTP answer. Only the edge raises these: routes map domain
 * errors to them, and the kit raises them for bad input and unreachable dependencies.
 */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem, options?: ErrorOptions) {
    super(problem.detail ?? problem.title, options);
    this.name = 'ProblemError';
    this.problem = problem;
  }
}

export interface FieldError {
  /** The offending field as a reader writes it, e.g. `items[0].quantity`. */
  field: string;
  /** The same field as a JSON Pointer (RFC 6901), e.g. `/items/0/quantity`. */
  pointer: string;
  detail: string;
}

export class InvalidRequest extends ProblemError {
  constructor(where: string, errors: FieldError[]) {
    super({
      type: problemType('validation'),
      title: `The request ${where} is invalid`,
      status: 400,
      detail: errors.map((error) => `${error.field}: ${error.detail}`).join('; '),
      errors,
    });
    this.name = 'InvalidRequest';
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((name, key) => {
    if (typeof key === 'number') return `${name}[${key}]`;
    return name ? `${name}.${String(key)}` : String(key);
  }, '');
}

/**
 * A string that can be stored: PostgreSQL's `text` refuses the NUL character, so input that
 * carries one is refused at the edge as bad input rather than failing at the database.
 */
export function storableText(): z.ZodString {
  return z.string().regex(/^[^\0]*$/, 'must not contain the NUL character');
}

/** Parses untrusted input at the edge; every bad field is reported at once. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where = 'body',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidRequest(
    where,
    result.error.issues.map((issue) => ({
      field: fieldName(issue.path) || where,
      pointer: `/${issue.path.map(String).join('/')}`,
      detail: issue.message,
    })),
  );
}
