import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs a snippet against the real logger in a fresh process and returns its JSON lines. */
function logLines(snippet: string): Record<string, unknown>[] {
  const script = `import { logger } from '@sightline/telemetry';\n${snippet}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', OTEL_SERVICE_NAME: 'redaction-test' },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('when an object with secrets is logged, then passwords, cards and auth headers are gone and emails masked', () => {
  const [line] = logLines(`logger.info({
    password: 'hunter2hunter2',
    card: { number: '4242424242424242', cvc: '123' },
    user: { email: 'alice@example.com', password: 'x' },
    req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', accept: 'json' } },
  }, 'signup');`);

  const text = JSON.stringify(line);
  for (const secret of [
    'hunter2hunter2',
    '4242424242424242',
    'Bearer abc.def',
    'sid=1',
    'alice@example.com',
  ]) {
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
  assert.deepEqual(line?.user, { email: 'a***@example.com' });
  assert.deepEqual(line?.req, { headers: { accept: 'json' } });
});

test('then each line has the standard fields: time, level label, msg and service.name', () => {
  const [line] = logLines(`logger.warn({ order_id: 'o-1' }, 'hello');`);

  assert.equal(line?.level, 'warn');
  assert.equal(line?.msg, 'hello');
  assert.equal(line?.['service.name'], 'redaction-test');
  assert.equal(line?.order_id, 'o-1');
  assert.match(String(line?.time), /^\d{4}-\d\d-\d\dT/);
});
