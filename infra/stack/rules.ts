/**
 * Which alert rules the native stack's Prometheus reads: the shipped ones (prometheus/rules/)
 * or classroom mode's (prometheus/classroom-rules/, every `for:` over 1m cut to 30 s; see
 * infra/drills/classroom-rules.ts). `npm run stack -- --classroom` starts in classroom mode;
 * on a running stack,
 *
 *   npm run stack:rules -- classroom      (or: shipped)
 *
 * switches by relinking the rules folder and asking Prometheus to reload (SIGHUP), then
 * waits until Prometheus reports the new rules.
 */
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isOurs, readPids } from './pid-files.ts';
import { pin, readPins } from './pins.ts';
import { PROMETHEUS_DIR } from './processes.ts';
import { CLASSROOM_RULES, SHIPPED_RULES } from './rule-folders.ts';

export type RulesMode = 'shipped' | 'classroom';

export function isRulesMode(value: string | undefined): value is RulesMode {
  return value === 'shipped' || value === 'classroom';
}

/** Points <stack>/prometheus/rules at the mode's folder. */
export function linkRules(mode: RulesMode): void {
  const link = join(PROMETHEUS_DIR, 'rules');
  rmSync(link, { force: true });
  symlinkSync(mode === 'classroom' ? CLASSROOM_RULES : SHIPPED_RULES, link);
}

/** The `for:` Prometheus has loaded for an alert, in seconds (undefined: no such alert). */
export async function loadedFor(alert: string): Promise<number | undefined> {
  const url = `http://127.0.0.1:${pin(readPins(), 'PROMETHEUS_PORT')}/api/v1/rules?type=alert`;
  const body = (await (await fetch(url)).json()) as {
    data: { groups: { rules: { name: string; duration: number }[] }[] };
  };
  return body.data.groups.flatMap((g) => g.rules).find((r) => r.name === alert)?.duration;
}

async function switchRunningStack(mode: RulesMode): Promise<void> {
  const prometheus = readPids().find((p) => p.name === 'prometheus' && isOurs(p));
  if (!prometheus) throw new Error('No native stack is running (`npm run stack` starts one).');
  linkRules(mode);
  process.kill(prometheus.pid, 'SIGHUP');
  // HighErrorRate is 5m shipped and 30s in classroom mode: the reload is done when it says so.
  const expected = mode === 'classroom' ? 30 : 300;
  const deadline = Date.now() + 30_000;
  while ((await loadedFor('HighErrorRate').catch(() => undefined)) !== expected) {
    if (Date.now() > deadline) throw new Error('Prometheus did not load the new rules in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(`Prometheus now evaluates the ${mode} rules.`);
}

if (import.meta.main) {
  const mode = process.argv[2];
  if (!isRulesMode(mode)) {
    console.error('usage: npm run stack:rules -- classroom | shipped');
    process.exitCode = 2;
  } else await switchRunningStack(mode);
}
