/**
 * Prometheus' scrape targets, as file_sd lists (prometheus/prometheus.yml reads
 * targets/<job>.json). Prometheus does not expand environment variables in scrape configs,
 * and compose and the native stack reach the same programs at different addresses, so the
 * lists are generated at start from the one service list (infra/dev/services.ts):
 *
 *   node infra/stack/prometheus-targets.ts compose <dir>   (compose's init container)
 *   writeTargets(dir, 'native')                            (npm run stack)
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '../dev/services.ts';
import { NATIVE_PORTS } from './native-ports.ts';

export type Mode = 'compose' | 'native';

interface TargetGroup {
  targets: string[];
  labels?: Record<string, string>;
}

/**
 * Where each job's targets are, in compose (service names) or natively (this host). The
 * native stack runs Loki only when you bring your own (`withLoki`); otherwise its job has
 * no target, rather than one that is always down.
 */
export function targetGroups(
  mode: Mode,
  withLoki = mode === 'compose',
): Record<string, TargetGroup[]> {
  const at = (composeHost: string, port: number, nativePort = port): string =>
    mode === 'compose' ? `${composeHost}:${port}` : `127.0.0.1:${nativePort}`;
  return {
    services: SERVICES.map((s) => ({
      targets: [at(s.name, s.port)],
      labels: { service_name: s.name },
    })),
    'otel-collector': [{ targets: [at('otel-collector', 8888)] }],
    jaeger: [{ targets: [at('jaeger', 8888, NATIVE_PORTS.jaegerMetrics)] }],
    loki: withLoki ? [{ targets: [at('loki', 3100)] }] : [],
    alertmanager: [{ targets: [at('alertmanager', 9093)] }],
    prometheus: [{ targets: [at('localhost', 9090)] }],
  };
}

/** Writes one <job>.json per job, each atomically, as file_sd expects. */
export function writeTargets(dir: string, mode: Mode, withLoki?: boolean): void {
  mkdirSync(dir, { recursive: true });
  for (const [job, groups] of Object.entries(targetGroups(mode, withLoki))) {
    const file = join(dir, `${job}.json`);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(groups, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }
}

if (import.meta.main) {
  const [mode, dir] = process.argv.slice(2);
  if ((mode !== 'compose' && mode !== 'native') || !dir) {
    console.error('usage: node infra/stack/prometheus-targets.ts compose|native <dir>');
    process.exit(2);
  }
  writeTargets(dir, mode);
  console.log(`wrote ${mode} scrape targets to ${dir}`);
}
