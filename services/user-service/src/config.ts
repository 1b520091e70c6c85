import { availableParallelism } from 'node:os';
import { adminTokenSettings } from '@sightline/faults';
import { baseConfigSchema, portSetting, statementTimeoutSetting } from '@sightline/service';
import { z } from 'zod';

const MiB = 1024 * 1024;
/** What one password hash holds while it runs (scrypt, N=2^17, r=8). */
const HASH_BYTES = 128 * MiB;
/** What the service needs besides its hashes: the memory limit its siblings run in. */
const SERVICE_BYTES = 208 * MiB;

/**
 * Hashes that run at once unless PASSWORD_HASH_CONCURRENCY says: one per core this process may
 * use, but one fewer than libuv's thread pool (which runs them, and also DNS lookups and file
 * access) and no more than the memory limit holds beside the service itself. Under compose's
 * and the chart's 336 MiB that is one; without a limit, on 2 cores, two.
 */
export function defaultHashConcurrency(
  cores = availableParallelism(),
  threadPool = Number(process.env.UV_THREADPOOL_SIZE) || 4,
  memoryBytes = process.constrainedMemory() || Infinity,
): number {
  const fits = Math.floor((memoryBytes - SERVICE_BYTES) / HASH_BYTES);
  return Math.max(1, Math.min(cores, threadPool - 1, fits));
}

export const configSchema = baseConfigSchema.extend({
  PORT: portSetting(8001),
  DATABASE_URL: z.url().describe('PostgreSQL connection string of the users database'),
  DATABASE_STATEMENT_TIMEOUT_MS: statementTimeoutSetting(),
  PASSWORD_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(() => defaultHashConcurrency())
    .describe(
      'Password hashes (128 MiB each) run at once; default one per core, within the thread pool and the memory limit',
    ),
  PASSWORD_HASH_QUEUE_LIMIT: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000)
    .optional()
    .describe(
      'Password hashes that may wait for a slot; past that, 503 with Retry-After. Default 2 × PASSWORD_HASH_CONCURRENCY',
    ),
  ...adminTokenSettings,
});

export type Config = z.output<typeof configSchema>;

/**
 * The password-hash pool's bounds. PASSWORD_HASH_QUEUE_LIMIT defaults to 2 per running hash: the
 * last in line waits about three hashes, which stays inside the gateway's 5 s even when a busy
 * machine stretches a hash to a second (docs/performance.md, "Sign-up bursts").
 */
export function hashPoolSettings(config: Config): { concurrency: number; queueLimit: number } {
  const concurrency = config.PASSWORD_HASH_CONCURRENCY;
  return { concurrency, queueLimit: config.PASSWORD_HASH_QUEUE_LIMIT ?? 2 * concurrency };
}
