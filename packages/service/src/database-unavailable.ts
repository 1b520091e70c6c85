import pg from 'pg';

/**
 * The database cannot serve this service right now: PostgreSQL is stopped, restarting or
 * refusing connections, or the pool could not hand out a connection in time. A condition that
 * ends by itself (the pool connects again once the server is back), so the edge answers it
 * with 503 and `Retry-After`, not 500. The driver's error is the `cause`, and its message is
 * in this one's, so the log line says why (`connect ECONNREFUSED 10.0.0.5:5432`); the driver
 * never puts the connection string or the password in its messages.
 */
export class DatabaseUnavailable extends Error {
  constructor(cause: Error) {
    super(`the database is unavailable: ${cause.message}`, { cause });
    this.name = 'DatabaseUnavailable';
  }
}

/** Node's socket errors for a server that is not there, or that dropped the connection. */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // The server's host name does not resolve: a database container that is not running.
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs PostgreSQL sends when it cannot serve connections now, but will again. */
const SERVER_UNAVAILABLE = new Set([
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown: another server process crashed, the server restarts
  '57P03', // cannot_connect_now: the server is starting or shutting down
  '53300', // too_many_connections: every connection slot is taken
]);

/** 08P01 is in class 08 but is a malformed message, a bug on our side, not an outage. */
const PROTOCOL_VIOLATION = '08P01';

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Whether one error, by its code, says the connection to the database failed: a socket error
 * (`ECONNREFUSED`, `ECONNRESET`, …), or a PostgreSQL error of class 08 (connection exception)
 * or one of the server's "not now" codes above. Never by message text, which varies by version
 * and locale. Other database errors (a constraint, a statement timeout, a wrong password) are
 * not the database being away.
 */
export function isConnectionFailure(error: unknown): boolean {
  const code = codeOf(error);
  if (code === undefined) return false;
  if (SOCKET_ERRORS.has(code)) return true;
  if (!(error instanceof pg.DatabaseError)) return false;
  if (SERVER_UNAVAILABLE.has(code)) return true;
  return code.startsWith('08') && code !== PROTOCOL_VIOLATION;
}

/**
 * A failure to get a connection from the pool, as the request should see it. Every failure of
 * the pool or driver that carries no code of its own is a connection that could not be made
 * or handed out in time (the pool's connection timeout, a server that hung up during start-up),
 * and those with a code are classified by it. A refusal a person must fix (a wrong password,
 * a database that does not exist) stays as it is: an internal error, not a wait.
 */
export function connectFailure(error: Error): Error {
  if (codeOf(error) === undefined || isConnectionFailure(error)) {
    return new DatabaseUnavailable(error);
  }
  return error;
}

/**
 * Whether a request failed because the database is unavailable: the pool said so, or the error
 * (or one it was caused by) is a connection failure on a connection already in use, such as a
 * statement cut off by the server shutting down.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let depth = 0; depth < 5 && error instanceof Error; depth++) {
    if (error instanceof DatabaseUnavailable || isConnectionFailure(error)) return true;
    error = error.cause;
  }
  return false;
}
