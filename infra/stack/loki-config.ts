import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * A structural check of loki/config.yaml, for machines without a Loki binary (Loki is
 * AGPL-licensed and never built or run on ours; with SIGHTLINE_STACK_FROM_PATH=loki,
 * `npm run stack:check` also runs `loki -verify-config`). It cannot prove everything Loki
 * would, so it checks what Sightline relies on:
 *
 * - the file is YAML and every top-level block is one Loki 3 knows (Loki refuses unknown
 *   fields, so a typo would stop it at start);
 * - it listens where compose publishes it and the collector sends (`expectedPort`);
 * - OTLP works as the collector, the stack tests and the provisioning expect: schema v13 on
 *   tsdb and structured metadata allowed (trace_id and span_id live there), and
 *   service.name indexed as a label (service_name, which every LogQL query selects on);
 * - retention is applied (retention_period needs the compactor's retention_enabled and a
 *   delete_request_store, or Loki refuses to start);
 * - every ${VAR} it expands has a default, so `-config.expand-env=true` never yields "".
 */

/** Loki 3's top-level configuration blocks, from its configuration reference. */
const TOP_LEVEL_BLOCKS = new Set([
  'target',
  'auth_enabled',
  'ballast_bytes',
  'shutdown_delay',
  'server',
  'distributor',
  'querier',
  'query_scheduler',
  'frontend',
  'query_range',
  'ruler',
  'ruler_storage',
  'ingester_client',
  'ingester',
  'block_builder',
  'block_scheduler',
  'pattern_ingester',
  'index_gateway',
  'bloom_build',
  'bloom_gateway',
  'storage_config',
  'chunk_store_config',
  'schema_config',
  'compactor',
  'compactor_grpc_client',
  'limits_config',
  'frontend_worker',
  'table_manager',
  'memberlist',
  'kafka_config',
  'dataobj',
  'runtime_config',
  'operational_config',
  'tracing',
  'analytics',
  'profiling',
  'common',
  'ui',
  'ingest_limits',
  'ingest_limits_frontend',
  'ingest_limits_frontend_client',
  'partition_ring',
]);

type Yaml = Record<string, unknown>;

function at(config: unknown, path: string): unknown {
  let node = config;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Yaml)[key];
  }
  return node;
}

/** Every problem found in the Loki config text; an empty list means it passed. */
export function lokiConfigProblems(text: string, expectedPort: number): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) {
    if (!match[2]) problems.push(`\${${match[1]}} has no default (write \${${match[1]}:-…})`);
  }
  // What Loki sees after expanding the environment with the defaults.
  const expanded = text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g, '$1');
  let config: unknown;
  try {
    config = parse(expanded);
  } catch (error) {
    return [...problems, `not YAML: ${(error as Error).message}`];
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    return [...problems, 'not a YAML mapping'];

  for (const key of Object.keys(config)) {
    if (!TOP_LEVEL_BLOCKS.has(key)) problems.push(`unknown top-level block "${key}"`);
  }
  if (at(config, 'server.http_listen_port') !== expectedPort)
    problems.push(`server.http_listen_port is not ${expectedPort} (LOKI_PORT in .env)`);

  const schemas = at(config, 'schema_config.configs');
  const latest = Array.isArray(schemas) ? (schemas.at(-1) as Yaml | undefined) : undefined;
  if (latest?.schema !== 'v13' || latest.store !== 'tsdb')
    problems.push(
      'the latest schema_config entry must be schema v13 on store tsdb (OTLP needs it)',
    );
  if (at(config, 'limits_config.allow_structured_metadata') !== true)
    problems.push('limits_config.allow_structured_metadata must be true (trace_id lives there)');
  const indexed = at(config, 'distributor.otlp_config.default_resource_attributes_as_index_labels');
  if (!Array.isArray(indexed) || !indexed.includes('service.name'))
    problems.push('service.name must be an index label (queries select on service_name)');

  if (at(config, 'limits_config.retention_period') !== undefined) {
    if (at(config, 'compactor.retention_enabled') !== true)
      problems.push('limits_config.retention_period needs compactor.retention_enabled: true');
    if (!at(config, 'compactor.delete_request_store'))
      problems.push('compactor.retention_enabled needs compactor.delete_request_store');
  }
  return problems;
}

export function checkLokiConfigFile(file: string, expectedPort: number): string[] {
  return lokiConfigProblems(readFileSync(file, 'utf8'), expectedPort);
}
