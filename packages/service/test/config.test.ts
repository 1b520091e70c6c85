import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { baseConfigSchema, ConfigError, loadConfig, portSetting } from '../src/config.ts';
import { z } from 'zod';

const schema = baseConfigSchema.extend({ PORT: portSetting(8001), DATABASE_URL: z.url() });

test('when several keys are bad, then one error names every one of them', () => {
  const error = (() => {
    try {
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' });
    } catch (thrown) {
      return thrown;
    }
  })();

  assert.ok(error instanceof ConfigError);
  assert.deepEqual(error.problems.map((p) => p.key).sort(), ['DATABASE_URL', 'LOG_LEVEL', 'PORT']);
});

test('when a variable is empty, then it counts as unset and its default applies', () => {
  const config = loadConfig(schema, { PORT: '', DATABASE_URL: 'postgres://db/x', SENTRY_DSN: '' });

  assert.equal(config.PORT, 8001);
  assert.equal(config.SENTRY_DSN, undefined);
});

test('when HOST is unset, then it is 127.0.0.1; when it is not an address or host name, then it is named as a bad key', () => {
  assert.equal(loadConfig(schema, { DATABASE_URL: 'postgres://db/x' }).HOST, '127.0.0.1');
  assert.throws(
    () => loadConfig(schema, { DATABASE_URL: 'postgres://db/x', HOST: 'http://0.0.0.0' }),
    (error) =>
      error instanceof ConfigError &&
      error.problems.length === 1 &&
      error.problems[0]?.key === 'HOST',
  );
});

test('when a service starts with bad env, then it names each bad key on stderr, with no stack trace, and exits non-zero', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const result = spawnSync(
    process.execPath,
    ['--import', '@sightline/telemetry/register', 'services/order-service/src/main.ts'],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: '-1',
        USER_SERVICE_URL: 'nope',
        DEPENDENCY_TIMEOUT_MS: 'soon',
        LOG_LEVEL: 'loud',
        SENTRY_DSN: 'https://sentry.example.com/no-key',
        SENTRY_SPOTLIGHT: 'spotlight',
        SHUTDOWN_READINESS_DELAY_MS: 'a while',
      },
      encoding: 'utf8',
      timeout: 20_000,
    },
  );

  assert.equal(result.status, 1);
  for (const key of [
    'PORT',
    'DATABASE_URL',
    'USER_SERVICE_URL',
    'DEPENDENCY_TIMEOUT_MS',
    'LOG_LEVEL',
    'SENTRY_DSN',
    'SENTRY_SPOTLIGHT',
    'SHUTDOWN_READINESS_DELAY_MS',
  ]) {
    assert.match(
      result.stderr,
      new RegExp(`^  ${key}: `, 'm'),
      `${key} not named in:\n${result.stderr}`,
    );
  }
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'a stack trace instead of a report');
});
