/**
 * The collector's sampling profile (docs/sampling.md): `all` keeps every trace (the default),
 * `production` tail-samples (otel-collector/sampling-production.yaml). One variable,
 * SIGHTLINE_SAMPLING, chooses it for compose and the native stack alike; the chart's value
 * is collector.sampling.profile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './pins.ts';

export const SAMPLING_PROFILES = ['all', 'production'] as const;
export type SamplingProfileName = (typeof SAMPLING_PROFILES)[number];

export function samplingProfileName(env: NodeJS.ProcessEnv = process.env): SamplingProfileName {
  const value = env.SIGHTLINE_SAMPLING?.trim() || 'all';
  if (!(SAMPLING_PROFILES as readonly string[]).includes(value))
    throw new Error(`SIGHTLINE_SAMPLING=${value}: must be one of ${SAMPLING_PROFILES.join(', ')}`);
  return value as SamplingProfileName;
}

/** The collector's config files, in order: the one config, then the profile's overlay. */
export function collectorConfigFiles(profile: SamplingProfileName): string[] {
  return [
    join(ROOT, 'otel-collector/config.yaml'),
    join(ROOT, `otel-collector/sampling-${profile}.yaml`),
  ];
}

interface RuleFile {
  groups: { rules: { record?: string; expr?: string; labels?: Record<string, string> }[] }[];
}

/**
 * Each service's latency objective in seconds, read from the one place it is set: the
 * `service_name:latency_objective_p95:seconds` series HighLatency compares against.
 */
export function latencyObjectives(): Record<string, number> {
  const rules = parse(
    readFileSync(join(ROOT, 'prometheus/rules/services.yml'), 'utf8'),
  ) as RuleFile;
  const objectives: Record<string, number> = {};
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    const service = rule.labels?.service_name;
    const seconds = /^vector\(([\d.]+)\)$/.exec(rule.expr?.trim() ?? '')?.[1];
    if (rule.record === 'service_name:latency_objective_p95:seconds' && service && seconds)
      objectives[service] = Number(seconds);
  }
  return objectives;
}
