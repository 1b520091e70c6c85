import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks real responses against the OpenAPI document the gateway serves: the status must be
 * documented for the operation, the content type must be one the document lists, every
 * required header must be there, every documented header must match its schema, and the body
 * must match the schema of that status and content type. JSON Schema 2020-12, which OpenAPI
 * 3.1 uses, checked by ajv with its formats.
 */

const DOCUMENT_PATH = new URL('../../services/api-gateway/openapi.json', import.meta.url);
const DOCUMENT_ID = 'openapi.json';

interface SchemaHolder {
  schema?: unknown;
}
interface HeaderObject extends SchemaHolder {
  required?: boolean;
  $ref?: string;
}
interface ResponseObject {
  $ref?: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, SchemaHolder>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

export interface ObservedResponse {
  status: number;
  headers: Headers;
  /** The raw body; parsed here when the content type is JSON. */
  text: string;
}

export function readDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')) as OpenApiDocument;
}

interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  schema?: { pattern?: string; minLength?: number; maxLength?: number };
}

/** A parameter the document declares for an operation, e.g. the `idempotency-key` header. */
export function documentedParameter(
  method: string,
  template: string,
  name: string,
  document: OpenApiDocument = readDocument(),
): ParameterObject {
  const operation = document.paths[template]?.[method.toLowerCase()] as
    { parameters?: ParameterObject[] } | undefined;
  const parameter = operation?.parameters?.find((p) => p.name === name);
  if (!parameter) throw new Error(`${method} ${template} declares no parameter ${name}`);
  return parameter;
}

/** `/api/users/{id}` matches `/api/users/0f…`; the query is not part of the template. */
function templateMatches(template: string, path: string): boolean {
  const pattern = template.replace(/\{[^}]+\}/g, '[^/]+').replaceAll('.', '\\.');
  return new RegExp(`^${pattern}$`).test(path);
}

function pointerTo(...segments: string[]): string {
  return segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

export class OpenApiContract {
  readonly document: OpenApiDocument;
  /** Every `METHOD /template STATUS` a check has seen, for asserting coverage. */
  readonly exercised = new Set<string>();
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ReturnType<Ajv2020['compile']>>();

  constructor(document: OpenApiDocument = readDocument()) {
    this.document = document;
    // The whole document is registered once, so every `$ref` inside a schema resolves.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
  }

  /** Every documented `METHOD /template STATUS`. */
  documented(): string[] {
    return Object.entries(this.document.paths).flatMap(([template, methods]) =>
      Object.entries(methods).flatMap(([method, operation]) =>
        Object.keys(operation.responses).map(
          (status) => `${method.toUpperCase()} ${template} ${status}`,
        ),
      ),
    );
  }

  private resolve<T extends { $ref?: string }>(object: T): T {
    if (!object.$ref) return object;
    const path = object.$ref.replace(/^#\//, '').split('/');
    let target: unknown = this.document;
    for (const segment of path) {
      target = (target as Record<string, unknown>)[
        segment.replaceAll('~1', '/').replaceAll('~0', '~')
      ];
    }
    return this.resolve(target as T);
  }

  private validate(pointer: string, value: unknown): string[] {
    let validator = this.validators.get(pointer);
    if (!validator) {
      validator = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}` });
      this.validators.set(pointer, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).map(
      (error) =>
        `${error.instancePath || '(root)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
    );
  }

  /**
   * Every way `response` departs from the document for `method path`; empty when it conforms.
   */
  violations(method: string, path: string, response: ObservedResponse): string[] {
    const template = Object.keys(this.document.paths).find((t) => templateMatches(t, path));
    if (!template) return [`${path} is not in the document`];
    const operation = this.document.paths[template]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${template} is not in the document`];
    const status = String(response.status);
    const documented = operation.responses[status] ?? operation.responses.default;
    if (!documented) return [`${method} ${template} does not document status ${status}`];
    this.exercised.add(`${method.toUpperCase()} ${template} ${status}`);
    const responseObject = this.resolve(documented);
    const responsePointer = documented.$ref
      ? documented.$ref.replace(/^#\//, '')
      : pointerTo('paths', template, method.toLowerCase(), 'responses', status);

    const problems: string[] = [];
    for (const [name, declared] of Object.entries(responseObject.headers ?? {})) {
      const header = this.resolve(declared);
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} is required but absent`);
        continue;
      }
      const headerPointer = declared.$ref
        ? `${declared.$ref.replace(/^#\//, '')}/schema`
        : `${responsePointer}/${pointerTo('headers', name, 'schema')}`;
      for (const error of this.validate(headerPointer, value)) {
        problems.push(`header ${name}: ${JSON.stringify(value)} ${error}`);
      }
    }

    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim();
    const content = responseObject.content ?? {};
    if (Object.keys(content).length === 0) {
      if (response.text.length > 0) problems.push('a body where the document declares none');
      return problems;
    }
    if (!contentType || !(contentType in content)) {
      problems.push(
        `content type ${contentType ?? '(none)'} is not one of ${Object.keys(content).join(', ')}`,
      );
      return problems;
    }
    if (!/json$/.test(contentType)) return problems;
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      return [...problems, `the body is not JSON: ${response.text.slice(0, 200)}`];
    }
    const schemaPointer = `${responsePointer}/${pointerTo('content', contentType, 'schema')}`;
    for (const error of this.validate(schemaPointer, body)) problems.push(`body ${error}`);
    return problems;
  }
}
