import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import pg from 'pg';
import { freePort } from '../../../test/support/ports.ts';
import { createTestDatabase } from '../../../test/support/database.ts';
import { createPool } from '../src/database.ts';
import {
  DatabaseUnavailable,
  isConnectionFailure,
  isDatabaseUnavailable,
} from '../src/database-unavailable.ts';
import { startService, type RunningService } from '../src/service.ts';

/** An error as PostgreSQL sends it, with its SQLSTATE. */
function serverError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('from the server', 0, 'error');
  error.code = code;
  return error;
}

/** An error as Node's socket raises it. */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

describe('which driver errors mean the database is unavailable', () => {
  test('when the socket is refused, reset or cannot reach the host, then it is a connection failure', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']) {
      assert.equal(isConnectionFailure(socketError(code)), true, code);
    }
  });

  test('when PostgreSQL is shutting down, starting, out of connection slots or the connection broke (class 08), then it is a connection failure', () => {
    for (const code of ['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001']) {
      assert.equal(isConnectionFailure(serverError(code)), true, code);
    }
  });

  test('when PostgreSQL refuses the statement or the login, or a message was malformed (08P01), then it is not', () => {
    // unique violation, statement timeout, syntax error, wrong password, no such database, protocol violation
    for (const code of ['23505', '57014', '42601', '28P01', '3D000', '08P01']) {
      assert.equal(isConnectionFailure(serverError(code)), false, code);
    }
  });

  test('when an error has only a message that sounds like an outage, then it is not: codes decide', () => {
    assert.equal(isConnectionFailure(new Error('connect ECONNREFUSED 127.0.0.1:5432')), false);
    assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), false);
  });

  test('when a connection failure is the cause of another error, then the request failed for it', () => {
    const wrapped = new Error('could not load the order', { cause: serverError('57P01') });
    assert.equal(isDatabaseUnavailable(wrapped), true);
    assert.equal(isDatabaseUnavailable(new Error('other', { cause: serverError('23505') })), false);
  });
});

describe('the request pool, against a real server', () => {
  let url: string;
  before(async () => {
    url = await createTestDatabase('kit_unavailable');
  });

  test('when nothing listens at the database address, then a query fails as DatabaseUnavailable caused by ECONNREFUSED', async () => {
    const pool = createPool(`postgres://someone:secret@127.0.0.1:${await freePort()}/nothing`, {
      statementTimeoutMs: 1_000,
    });
    try {
      const error = await pool.query('select 1').then(
        () => assert.fail('the query succeeded'),
        (error: unknown) => error,
      );
      assert.ok(error instanceof DatabaseUnavailable, String(error));
      assert.equal((error.cause as { code?: string }).code, 'ECONNREFUSED');
      await assert.rejects(pool.connect(), DatabaseUnavailable);
    } finally {
      await pool.end();
    }
  });

  test('when every connection is in use past the connection timeout, then the waiting query fails as DatabaseUnavailable, and the pool serves again once one is free', async () => {
    const pool = createPool(url, {
      statementTimeoutMs: 1_000,
      maxConnections: 1,
      connectionTimeoutMs: 200,
    });
    try {
      const held = await pool.connect();
      await assert.rejects(pool.query('select 1'), DatabaseUnavailable);
      held.release();
      assert.deepEqual((await pool.query('select 1 as one')).rows, [{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  test('when the password is wrong, then it is not DatabaseUnavailable: a person must fix it', async () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const pool = createPool(wrong.toString(), { statementTimeoutMs: 1_000 });
    try {
      await assert.rejects(pool.query('select 1'), (error: unknown) => {
        assert.ok(!(error instanceof DatabaseUnavailable), String(error));
        assert.equal((error as { code?: string }).code, '28P01');
        return true;
      });
    } finally {
      await pool.end();
    }
  });
});

describe('a route whose database is unreachable', () => {
  let service: RunningService;
  let pool: pg.Pool;
  before(async () => {
    pool = createPool(`postgres://someone:secret@127.0.0.1:${await freePort()}/nothing`, {
      statementTimeoutMs: 1_000,
    });
    const routes = express.Router();
    routes.get('/things', async (_request, response) => {
      response.json((await pool.query('select 1')).rows);
    });
    service = await startService({ routes, host: '127.0.0.1', port: 0, shutdownTimeoutMs: 1_000 });
  });
  after(async () => {
    await service.stop();
    await pool.end();
  });

  test('then it answers 503 database-unavailable with Retry-After, naming no host, port or driver message', async () => {
    const response = await fetch(`${service.url}/things`);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(response.headers.get('retry-after'), '5');
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), {
      type: 'urn:sightline:problem:database-unavailable',
      title: 'The database is unavailable',
      status: 503,
      detail: 'This service cannot reach its database right now; try again in 5 s.',
      instance: '/things',
    });
    assert.doesNotMatch(text, /127\.0\.0\.1|ECONNREFUSED|secret|select/);
  });
});
