import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { enabledInstrumentations } from '../src/instrumentations.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts a process the way every service starts (`--import @sightline/telemetry/register`)
 * and lists the instrumentation and resource-detector packages it loaded.
 */
function loadedPackages(env: Record<string, string> = {}): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const loaded = Object.keys(createRequire(import.meta.url).cache)
      .map((file) => /@opentelemetry\\/((?:instrumentation|resource-detector)-[^/]+)\\//.exec(file)?.[1])
      .filter(Boolean);
    console.log(JSON.stringify([...new Set(loaded)].sort()));`;
  const result = spawnSync(
    process.execPath,
    ['--import', '@sightline/telemetry/register', '--input-type=module', '-e', script],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        ...env,
      },
      encoding: 'utf8',
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as string[];
}

test('when no OTEL_NODE_* variable is set, then exactly http, express, pg and pino are loaded, and no resource detector', () => {
  assert.deepEqual(loadedPackages(), [
    'instrumentation-express',
    'instrumentation-http',
    'instrumentation-pg',
    'instrumentation-pino',
  ]);
});

test('when OTEL_NODE_ENABLED_INSTRUMENTATIONS names others, then those are loaded instead', () => {
  assert.deepEqual(loadedPackages({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, dns,undici' }), [
    'instrumentation-dns',
    'instrumentation-http',
    'instrumentation-undici',
  ]);
});

test('when OTEL_NODE_DISABLED_INSTRUMENTATIONS names one, then it is taken from the enabled list', () => {
  assert.deepEqual(enabledInstrumentations({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pino,pg' }), [
    '@opentelemetry/instrumentation-http',
    '@opentelemetry/instrumentation-express',
  ]);
  assert.deepEqual(
    enabledInstrumentations({
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,dns',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'dns',
    }),
    ['@opentelemetry/instrumentation-http'],
  );
  assert.deepEqual(loadedPackages({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pino' }), [
    'instrumentation-express',
    'instrumentation-http',
    'instrumentation-pg',
  ]);
});
