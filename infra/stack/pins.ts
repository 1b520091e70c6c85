import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The pinned versions and ports in `.env`, the same file docker compose reads. Only the
 * plain `KEY=value` lines compose itself understands are used here.
 */
export function readPins(file = join(ROOT, '.env')): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1] && match[2] !== undefined) pins[match[1]] = match[2].replace(/^"(.*)"$/, '$1');
  }
  return pins;
}

export function pin(pins: Record<string, string>, key: string): string {
  const value = pins[key];
  if (!value) throw new Error(`.env has no ${key}`);
  return value;
}

/**
 * Where built backends live: outside the repository, shared by every checkout, one
 * folder per backend and version so changing a pin never overwrites another build.
 */
export function stackCache(): string {
  return (
    process.env.SIGHTLINE_STACK_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sightline', 'stack')
  );
}
