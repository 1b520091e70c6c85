import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { conventionalLogAttributes, OTLP_NAMES } from '@sightline/telemetry';
import {
  CONVENTION_KEYS,
  DEPRECATED_KEYS,
  registryAttributes,
  registryGroups,
  violations,
} from '../support/semantic-conventions.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TELEMETRY_DOC = readFileSync(`${ROOT}docs/telemetry.md`, 'utf8');

/** The body rows of the docs/telemetry.md table between `<!-- marker -->` and `<!-- /marker -->`. */
function docRows(marker: string): string[][] {
  const start = TELEMETRY_DOC.indexOf(`<!-- ${marker} -->`);
  const end = TELEMETRY_DOC.indexOf(`<!-- /${marker} -->`);
  assert.ok(start >= 0 && end > start, `docs/telemetry.md has no ${marker} table`);
  return TELEMETRY_DOC.slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

const typeOf = (type: unknown) =>
  typeof type === 'string'
    ? type
    : `enum: ${(type as { members: { value: string }[] }).members.map((m) => `\`${m.value}\``).join(', ')}`;
const exampleOf = (examples: unknown) => {
  const first = (examples as unknown[])[0];
  return `\`${Array.isArray(first) ? first.join(', ') : String(first)}\``;
};

describe('the telemetry registry', () => {
  test('when Weaver reads the manifest, then it depends on semantic conventions v1.44.0', () => {
    const manifest = parse(
      readFileSync(`${ROOT}telemetry/registry/registry_manifest.yaml`, 'utf8'),
    ) as Record<string, unknown> & {
      schema_url: string;
      dependencies: (Record<string, unknown> & { schema_url: string; registry_path: string })[];
    };
    // Weaver 0.25+ identifies a registry and its dependencies by schema_url (a URL ending in the
    // version) and refuses a dependency that has only the older `name`.
    assert.equal(
      manifest.schema_url,
      'https://github.com/sightline/sightline/telemetry/registry/0.1.0',
    );
    for (const deprecated of ['name', 'semconv_version', 'schema_base_url']) {
      assert.ok(!(deprecated in manifest), `the manifest still has ${deprecated}`);
    }
    assert.deepEqual(manifest.dependencies, [
      {
        schema_url: 'https://opentelemetry.io/schemas/1.44.0',
        registry_path:
          'https://github.com/open-telemetry/semantic-conventions/archive/refs/tags/v1.44.0.zip[model]',
      },
    ]);
  });

  test('when our attributes are declared, then each is under sightline., typed, explained, exemplified, and no convention', () => {
    const attributes = registryAttributes();
    assert.ok(attributes.length > 0);
    for (const attribute of attributes) {
      assert.match(attribute.id, /^sightline\.[a-z_.]+[a-z]$/);
      assert.ok(attribute.type, `${attribute.id} has no type`);
      assert.ok(attribute.brief, `${attribute.id} has no brief`);
      assert.ok(Array.isArray(attribute.examples), `${attribute.id} has no examples`);
      assert.equal(attribute.stability, 'development', attribute.id);
      assert.ok(!CONVENTION_KEYS.has(attribute.id), `${attribute.id} is a convention`);
    }
    const ids = attributes.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length, 'an attribute is declared twice');
  });

  test('when spans and log records refer to attributes, then each is ours or a current convention', () => {
    const ours = new Set(registryAttributes().map((a) => a.id));
    const groups = registryGroups();
    const ids = groups.map((g) => g.id);
    assert.equal(new Set(ids).size, ids.length, 'a group id is used twice');
    for (const group of groups) {
      assert.ok(['attribute_group', 'span', 'event'].includes(group.type), group.id);
      assert.ok(group.brief, `${group.id} has no brief`);
      for (const attribute of group.attributes ?? []) {
        if (!('ref' in attribute)) continue;
        assert.ok(
          ours.has(attribute.ref) || CONVENTION_KEYS.has(attribute.ref),
          `${group.id} refers to ${attribute.ref}`,
        );
      }
    }
  });

  test('when docs/telemetry.md lists our attributes, then it lists exactly the registry, in its order', () => {
    assert.deepEqual(
      docRows('registry:attributes'),
      registryAttributes().map((a) => [
        `\`${a.id}\``,
        typeOf(a.type),
        a.brief,
        exampleOf(a.examples),
      ]),
    );
  });

  test('when docs/telemetry.md maps stdout fields to OTLP attributes, then it says what log-attributes.ts does', () => {
    const rows = docRows('log-attributes');
    const mapped = Object.entries(OTLP_NAMES).map(([field, name]) => [
      `\`${field}\``,
      name === undefined ? "none: the resource's `service.name`" : `\`${name}\``,
    ]);
    assert.deepEqual(rows.slice(4), mapped);
    assert.deepEqual(
      Object.keys(
        conventionalLogAttributes({
          req: { method: 'GET', url: '/api/orders?userId=1' },
          res: { status_code: 200 },
          event: 'sightline.order.placed',
        }),
      ),
      ['http.request.method', 'url.path', 'url.query', 'http.response.status_code'],
    );
    // `event` is the row after the three HTTP ones: the record's EventName, no attribute.
    assert.deepEqual(rows[3], ['`event`', "none: the record's `EventName`"]);
  });
});

describe('the attribute check the end-to-end drift test runs', () => {
  test('when a key is a current convention or declared by us, then it passes', () => {
    assert.deepEqual(
      violations([
        { key: 'http.request.method', where: 'span' },
        { key: 'code.file.path', where: 'log' },
        { key: 'feature_flag.result.variant', where: 'event' },
        { key: 'sightline.payment.amount_cents', where: 'span' },
      ]),
      [],
    );
  });

  test('when an undeclared key is emitted, then it is reported with where it was seen', () => {
    assert.deepEqual(
      violations([
        { key: 'payment.amount_cents', where: 'span PaymentProvider.charge' },
        { key: 'sightline.not_declared', where: 'log "x"' },
        { key: 'payment.amount_cents', where: 'span again' },
      ]),
      [
        {
          key: 'payment.amount_cents',
          where: 'span PaymentProvider.charge',
          problem: 'undeclared',
        },
        { key: 'sightline.not_declared', where: 'log "x"', problem: 'undeclared' },
      ],
    );
  });

  test('when a deprecated convention is emitted, then it is reported as deprecated', () => {
    assert.ok(DEPRECATED_KEYS.has('code.filepath'));
    assert.deepEqual(
      violations([
        { key: 'code.filepath', where: 'log' },
        { key: 'error.message', where: 'log' },
      ]).map((v) => [v.key, v.problem]),
      [
        ['code.filepath', 'deprecated'],
        ['error.message', 'deprecated'],
      ],
    );
  });

  test('when every stdout field is mapped for OTLP, then the names it becomes pass the check', () => {
    const names = Object.values(OTLP_NAMES).filter((name) => name !== undefined);
    assert.deepEqual(violations(names.map((key) => ({ key, where: 'log-attributes.ts' }))), []);
  });
});
