import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { adminTokens, adminTokenSettings } from '../src/admin-tokens.ts';
import { ConfigError, loadConfig } from '@sightline/service';

const schema = z.object(adminTokenSettings);
const GOOD = 'a-long-enough-token-0123456789';

function problemsOf(env: Record<string, string>): ConfigError['problems'] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('when ADMIN_TOKENS holds name:token pairs and ADMIN_TOKEN one more, then each is named', () => {
  const config = loadConfig(schema, {
    ADMIN_TOKENS: `trainer:${GOOD}, sre:${GOOD}x`,
    ADMIN_TOKEN: `${GOOD}y`,
  });

  assert.deepEqual(adminTokens(config), [
    { name: 'trainer', token: GOOD },
    { name: 'sre', token: `${GOOD}x` },
    { name: 'admin', token: `${GOOD}y` },
  ]);
});

test('when a token is short, has no name or a name is used twice, then the error names the key and the entry, never the token', () => {
  const short = 'short-token';
  const problems = problemsOf({
    ADMIN_TOKENS: `trainer:${short},${GOOD},sre:${GOOD},sre:${GOOD}z`,
    ADMIN_TOKEN: short,
  });

  assert.deepEqual(
    problems.map((p) => p.key),
    ['ADMIN_TOKENS', 'ADMIN_TOKENS', 'ADMIN_TOKENS', 'ADMIN_TOKEN'],
  );
  assert.match(problems[0]?.message ?? '', /^entry 1 /);
  assert.match(problems[1]?.message ?? '', /^entry 2 /);
  assert.match(problems[2]?.message ?? '', /sre is given twice/);
  assert.ok(problems.every((p) => !p.message.includes(short) && !p.message.includes(GOOD)));
});

test('when neither is set, then there is no token and the admin API stays off', () => {
  assert.deepEqual(adminTokens(loadConfig(schema, { ADMIN_TOKENS: '', ADMIN_TOKEN: '' })), []);
});
