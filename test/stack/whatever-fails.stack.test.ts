/**
 * `npm run chaos`, as docs/chaos.md tells a user to run it next to the native stack, for three
 * minutes with a fixed seed: every kind of harm happens, and every invariant holds. Its name
 * sorts it after the other stack test files, and it must stay last: its kills and faults make
 * the stack's alerts fire, which the drills must not see.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../infra/stack/pins.ts';

test('this file sorts after every other stack test file, so it runs last', () => {
  const files = readdirSync(import.meta.dirname).filter((file) => file.endsWith('.test.ts'));
  assert.equal(files.sort().at(-1), basename(import.meta.filename));
});

test('when services and PostgreSQL are killed, paused and faulted for 3 minutes while customers shop, then money moves once and every invariant holds', async () => {
  const child = spawn(
    process.execPath,
    ['infra/chaos/main.ts', '--minutes', '3', '--seed', '20261204'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  console.log(output);

  assert.equal(code, 0, output);
  for (const harm of [
    /\| killed postgres \| \d+ \|/,
    /\| killed [a-z-]+-service \| \d+ \|/,
    /\| paused [a-z-]+ \| \d+ \|/,
    /\| fault payment\w+ \| \d+ \|/,
  ])
    assert.match(output, harm);
  const rows = [...output.matchAll(/^\| (.+) \| (\d+) \| (\d+) \|$/gm)];
  assert.ok(rows.length >= 7, 'the invariants table');
  for (const [, name, checked, violations] of rows) {
    assert.ok(Number(checked) > 0, `${name} checked nothing`);
    assert.equal(violations, '0', name);
  }
  assert.match(output, /every invariant held/);
});
