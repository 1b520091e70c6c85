import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lokiConfigProblems } from '../../infra/stack/loki-config.ts';
import { pin, readPins, ROOT } from '../../infra/stack/pins.ts';

const shipped = readFileSync(join(ROOT, 'loki/config.yaml'), 'utf8');
const port = Number(pin(readPins(), 'LOKI_PORT'));

test('when the shipped Loki config is checked structurally, then it passes', () => {
  assert.deepEqual(lokiConfigProblems(shipped, port), []);
});

test('when the Loki config is broken in ways Loki or our queries would not survive, then each is named', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a misspelt block',
      `${shipped}\nlimit_config:\n  x: 1\n`,
      /unknown top-level block "limit_config"/,
    ],
    ['not YAML', `${shipped}\n  : : [\n`, /not YAML/],
    ['another port', shipped.replace('http_listen_port: 3100', 'http_listen_port: 3101'), /3100/],
    ['an old schema', shipped.replace('schema: v13', 'schema: v12'), /v13/],
    [
      'no structured metadata',
      shipped.replace('allow_structured_metadata: true', 'allow_structured_metadata: false'),
      /structured_metadata/,
    ],
    [
      'service.name not a label',
      shipped.replace(/^\s+- service\.name$/m, ''),
      /service\.name must be an index label/,
    ],
    [
      'retention without the compactor',
      shipped.replace('retention_enabled: true', 'retention_enabled: false'),
      /retention_enabled/,
    ],
    [
      'a variable without default',
      shipped.replace('${LOKI_DATA_DIR:-/loki}/chunks', '${LOKI_DATA_DIR}/chunks'),
      /LOKI_DATA_DIR/,
    ],
  ];
  for (const [what, text, expected] of cases) {
    const problems = lokiConfigProblems(text, port);
    assert.ok(
      problems.some((p) => expected.test(p)),
      `${what}: ${problems.join('; ') || 'passed'}`,
    );
  }
});
