import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as stable from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { parse } from 'yaml';
import type { OtlpReceiver } from './otlp-receiver.ts';

/**
 * Whether an attribute key we emit is allowed: an OpenTelemetry semantic convention that is
 * not deprecated, one of ours declared in telemetry/registry, or a known exception an
 * instrumentation library sets and we cannot switch off.
 */

const REGISTRY_DIR = fileURLToPath(new URL('../../telemetry/registry/', import.meta.url));

/**
 * Attributes set by instrumentation libraries, outside any convention, that their config
 * cannot switch off. Each says why it stays. None today: `express.name` and `express.type` were
 * here while the Express instrumentation made spans of its own (tracing.ts now keeps only the
 * route it gives the server span).
 */
export const KNOWN_EXCEPTIONS: Record<string, string> = {};

/** Every key the npm package exports as an `ATTR_*` constant, stable and incubating. */
const exported = new Set(
  Object.entries({ ...incubating, ...stable })
    .filter(([name, value]) => name.startsWith('ATTR_') && typeof value === 'string')
    .map(([, value]) => value as string),
);

/**
 * The keys the package marks `@deprecated` in its type declarations: they are still
 * exported, but the conventions name a replacement (`code.filepath` → `code.file.path`).
 */
function deprecatedKeys(): Set<string> {
  const dist = dirname(
    fileURLToPath(import.meta.resolve('@opentelemetry/semantic-conventions/incubating')),
  );
  const keys = new Set<string>();
  for (const file of readdirSync(dist).filter((name) => name.endsWith('_attributes.d.mts'))) {
    const text = readFileSync(join(dist, file), 'utf8');
    for (const [, doc, key] of text.matchAll(
      /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*declare const ATTR_\w+: "([^"]+)";/g,
    ))
      if (doc!.includes('@deprecated')) keys.add(key!);
  }
  return keys;
}

export const DEPRECATED_KEYS = deprecatedKeys();
export const CONVENTION_KEYS = new Set([...exported].filter((key) => !DEPRECATED_KEYS.has(key)));

export interface RegistryAttribute {
  id: string;
  type: unknown;
  brief: string;
  examples?: unknown;
  stability?: string;
}
interface RegistryGroup {
  id: string;
  type: string;
  brief?: string;
  name?: string;
  attributes?: ({ ref: string } | RegistryAttribute)[];
}

/** The groups of every registry file (all but the manifest). */
export function registryGroups(): RegistryGroup[] {
  return readdirSync(REGISTRY_DIR)
    .filter((name) => name.endsWith('.yaml') && name !== 'registry_manifest.yaml')
    .sort()
    .flatMap((name) => {
      const document = parse(readFileSync(join(REGISTRY_DIR, name), 'utf8')) as {
        groups: RegistryGroup[];
      };
      return document.groups;
    });
}

/** The attributes our registry defines (not those it only refers to). */
export function registryAttributes(): RegistryAttribute[] {
  return registryGroups()
    .filter((group) => group.type === 'attribute_group')
    .flatMap((group) => group.attributes ?? [])
    .filter((attribute): attribute is RegistryAttribute => 'id' in attribute);
}

export interface Violation {
  key: string;
  /** Where the key was seen: `span PaymentProvider.charge (payment-service)`. */
  where: string;
  problem: 'deprecated' | 'undeclared';
}

/**
 * The keys of `seen` that break the rule, one violation per key (with the first place it was
 * seen).
 */
export function violations(seen: Iterable<{ key: string; where: string }>): Violation[] {
  const declared = new Set(registryAttributes().map((attribute) => attribute.id));
  const found = new Map<string, Violation>();
  for (const { key, where } of seen) {
    if (found.has(key) || declared.has(key) || key in KNOWN_EXCEPTIONS) continue;
    if (DEPRECATED_KEYS.has(key)) found.set(key, { key, where, problem: 'deprecated' });
    else if (!CONVENTION_KEYS.has(key)) found.set(key, { key, where, problem: 'undeclared' });
  }
  return [...found.values()];
}

/** Every attribute key a receiver holds, on resources, spans, span events and log records. */
export function emittedKeys(receiver: OtlpReceiver): { key: string; where: string }[] {
  return [
    ...[...receiver.resourceKeys].map((key) => ({ key, where: 'resource' })),
    ...receiver.spans.flatMap((span) => [
      ...Object.keys(span.attributes).map((key) => ({
        key,
        where: `span ${span.name} (${span.service})`,
      })),
      ...span.events.flatMap((event) =>
        Object.keys(event.attributes).map((key) => ({
          key,
          where: `event ${event.name} on ${span.name} (${span.service})`,
        })),
      ),
    ]),
    ...receiver.logs.flatMap((log) =>
      Object.keys(log.attributes).map((key) => ({
        key,
        where: `log "${String(log.body)}" (${log.service})`,
      })),
    ),
  ];
}
