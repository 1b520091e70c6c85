import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { backends, binaryPath } from '../../infra/stack/backends.ts';
import { ROOT } from '../../infra/stack/pins.ts';

const all = backends();
const scratch = mkdtempSync(join(tmpdir(), 'sightline-config-test-'));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
}

test('when every shipped config is checked by its own binary (npm run stack:check), then all pass', () => {
  const result = run(process.execPath, ['infra/stack/check-configs.ts']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /✗/);
  assert.match(result.stdout, / 0 failed/);
});

// The checks above only mean something if the checkers refuse a broken file.
test('when a config is broken, then the collector and promtool each refuse it', () => {
  const badCollector = join(scratch, 'collector.yaml');
  writeFileSync(
    badCollector,
    'receivers: {otlp: {}}\nexporters: {nosuch: {}}\nservice: {pipelines: {traces: {receivers: [otlp], exporters: [nosuch]}}}\n',
  );
  assert.notEqual(
    run(binaryPath(all.otelcol, 'otelcol'), ['validate', '--config', badCollector]).status,
    0,
  );

  const badRules = join(scratch, 'rules.yml');
  writeFileSync(
    badRules,
    'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: up{ ==\n',
  );
  assert.notEqual(
    run(binaryPath(all.prometheus, 'promtool'), ['check', 'rules', badRules]).status,
    0,
  );
});

test('when the collector config is validated as the native stack runs it without Loki, then it passes, and an unknown exporter name is refused', () => {
  const otelcol = binaryPath(all.otelcol, 'otelcol');
  const validate = (exporter: string) =>
    run(otelcol, ['validate', '--config', 'otel-collector/config.yaml'], {
      OTELCOL_LOGS_EXPORTER: exporter,
    });
  const nop = validate('nop');
  assert.equal(nop.status, 0, nop.stdout + nop.stderr);
  assert.notEqual(validate('otlp_http/nosuch').status, 0);
});
