/** How long a fault stays on when no `for` is given, and the longest it may. */
export const DEFAULT_FAULT_MS = 10 * 60_000;
export const MAX_FAULT_MS = 60 * 60_000;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A fault's lifetime, as a person types it: `200ms`, `30s`, `10m`, `1h` (or a number of
 * milliseconds). `undefined` when it is not one, or not between 1 ms and an hour.
 */
export function parseFaultDuration(value: unknown): number | undefined {
  if (value === undefined) return DEFAULT_FAULT_MS;
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
    if (match?.[1] && match[2]) ms = Number(match[1]) * (UNITS[match[2]] ?? Number.NaN);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 1 || ms > MAX_FAULT_MS) return undefined;
  return Math.round(ms);
}
