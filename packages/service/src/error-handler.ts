import type { ErrorRequestHandler, RequestHandler } from 'express';
import { reportError, withRoute } from '@sightline/telemetry';
import { isDatabaseUnavailable } from './database-unavailable.ts';
import { PROBLEM_CONTENT_TYPE, ProblemError, problemType, type Problem } from './problem.ts';

/** A problem with the response headers that belong to it, such as `Retry-After` on a 503. */
export interface ProblemAnswer {
  problem: Problem;
  headers: Record<string, string>;
}

/** A service's own translation of domain errors to problems; `undefined` means "not mine". */
export type ErrorMapper = (error: unknown) => Problem | ProblemAnswer | undefined;

/** A domain error class: the table below matches errors against it with `instanceof`. */
type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** The problem one domain error class becomes, as `problemFor` declares it. */
export interface ProblemSpec<E extends Error> {
  status: number;
  /** The problem type's slug: `not-found` is `urn:sightline:problem:not-found`. */
  type: string;
  title: string;
  /** What a reader is told; unset, the error's own message. */
  detail?: string | ((error: E) => string);
  /** Extension members that follow `detail`, such as `errors` or the ids the caller needs. */
  extra?: (error: E) => Record<string, unknown>;
  /** Response headers that belong to the answer, such as `retry-after` on a 503. */
  headers?: (error: E) => Record<string, string>;
}

/** One row of a service's error table: an error class and how to answer it. */
export interface ProblemRule {
  errorClass: ErrorClass<Error>;
  answer: (error: Error) => ProblemAnswer;
}

/** A row of the error table: errors of `errorClass` are answered as `spec` says. */
export function problemFor<E extends Error>(
  errorClass: ErrorClass<E>,
  spec: ProblemSpec<E>,
): ProblemRule {
  return {
    errorClass,
    answer: (error) => {
      const domainError = error as E;
      const { detail } = spec;
      return {
        problem: {
          type: problemType(spec.type),
          title: spec.title,
          status: spec.status,
          detail:
            detail === undefined
              ? domainError.message
              : typeof detail === 'string'
                ? detail
                : detail(domainError),
          ...spec.extra?.(domainError),
        },
        headers: spec.headers?.(domainError) ?? {},
      };
    },
  };
}

/**
 * A service's domain errors as problems, read from its table: the first row whose class the
 * error is an instance of answers; an error no row names is not the table's (`undefined`).
 */
export function errorProblems(table: readonly ProblemRule[]): ErrorMapper {
  return (error) => {
    if (!(error instanceof Error)) return undefined;
    return table.find((rule) => error instanceof rule.errorClass)?.answer(error);
  };
}

/** Errors raised by express itself (routing, body parsing), which carry their own status. */
function expressProblem(error: unknown): Problem | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  switch ('type' in error ? error.type : undefined) {
    case 'entity.parse.failed':
      return {
        type: problemType('malformed-json'),
        title: 'The request body is not valid JSON',
        status: 400,
        detail: 'The body could not be parsed as JSON; send a JSON document.',
      };
    case 'entity.too.large':
      return {
        type: problemType('body-too-large'),
        title: 'The request body is too large',
        status: 413,
        detail: 'The body is larger than this service accepts (100 kB).',
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        type: problemType('unsupported-encoding'),
        title: 'Unsupported body encoding',
        status: 415,
        detail: 'Send the body as UTF-8 JSON, uncompressed or gzip, deflate or br.',
      };
  }
  // Anything else they refuse as the client's fault (a path that is not valid percent-encoding,
  // a body that does not inflate as its content-encoding says) is a bad request, not a failure.
  // Such errors carry a 4xx status and are either http-errors marked safe to show (`expose`)
  // or the router's URIError.
  const status = 'status' in error ? error.status : undefined;
  const showable = error instanceof URIError || ('expose' in error && error.expose === true);
  if (typeof status === 'number' && status >= 400 && status < 500 && showable) {
    return {
      type: problemType('bad-request'),
      title: 'The request could not be read',
      status,
      detail: (error as Error).message,
    };
  }
  return undefined;
}

const INTERNAL_ERROR: Problem = {
  type: problemType('internal'),
  title: 'Internal server error',
  status: 500,
  detail: 'The failure has been recorded; quote the trace id from the traceresponse header.',
};

/**
 * What `Retry-After` tells a client when the database is unavailable, in seconds: about what a
 * PostgreSQL restart takes, and the same as the pool's wait for a connection.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The database cannot be reached (database-unavailable.ts): a condition that passes, so 503
 * with `Retry-After`. It says which part is unavailable and nothing about where it runs: no
 * host, no SQL, no driver message; those are in the error log line and the span.
 */
const DATABASE_UNAVAILABLE: ProblemAnswer = {
  problem: {
    type: problemType('database-unavailable'),
    title: 'The database is unavailable',
    status: 503,
    detail: `This service cannot reach its database right now; try again in ${DATABASE_RETRY_AFTER_SECONDS} s.`,
  },
  headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
};

function toAnswer(error: unknown, mapError?: ErrorMapper): ProblemAnswer {
  if (error instanceof ProblemError) return { problem: error.problem, headers: {} };
  const mapped = mapError?.(error);
  if (mapped && 'problem' in mapped) return mapped as ProblemAnswer;
  if (!mapped && isDatabaseUnavailable(error)) return DATABASE_UNAVAILABLE;
  return { problem: mapped ?? expressProblem(error) ?? INTERNAL_ERROR, headers: {} };
}

/**
 * The edge of every service: an error becomes an RFC 9457 problem response. Expected failures
 * (4xx) are answers, not incidents; anything that ends in 5xx is reported once, with its span,
 * log line and Sentry event.
 */
export function errorHandler(mapError?: ErrorMapper): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) return next(error);
    const { problem, headers } = toAnswer(error, mapError);
    // The line's message is the error's; the request it failed is told as the request line tells it.
    if (problem.status >= 500) {
      reportError(error, withRoute({ req: { method: request.method, url: request.originalUrl } }));
    }
    response
      .status(problem.status)
      .set(headers)
      .type(PROBLEM_CONTENT_TYPE)
      .json({ ...problem, instance: request.originalUrl });
  };
}

export const notFound: RequestHandler = (request, response) => {
  response
    .status(404)
    .type(PROBLEM_CONTENT_TYPE)
    .json({
      type: problemType('not-found'),
      title: 'Not found',
      status: 404,
      detail: `No route for ${request.method} ${request.path}`,
      instance: request.originalUrl,
    });
};
