import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { createCounter, createGauge } from '@sightline/telemetry';
import { WorkAbandoned, WorkPoolFull, type WorkPool } from './work-pool.ts';

/**
 * Password hashing with scrypt at OWASP's current recommendation (N=2^17, r=8, p=1), stored as
 * one self-describing string, `scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64), so the cost can
 * be raised later without losing the ability to check older hashes. The password itself is
 * never stored or logged.
 *
 * Each hash takes ~100+ ms of CPU and 128 MiB of memory (128 · N · r bytes); `crypto.scrypt`
 * runs it on libuv's thread pool, off the event loop. Every derivation, to hash or to verify,
 * goes through one bounded `WorkPool`: a burst of sign-ups can neither multiply that memory past
 * the process's limit nor queue without end (see `Passwords`).
 */
export interface ScryptParameters {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  r: number;
  p: number;
}

export const CURRENT: ScryptParameters = { ln: 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 64;

/**
 * Hashes written before the format named its parameters: `scrypt$<salt>$<hash>`, made with
 * node's defaults (N=2^14, r=8, p=1) and a 32-byte key. Rows keep them (no password is known
 * to rehash with); they still verify, and `needsRehash` says to replace one once its password
 * is known again.
 */
const LEGACY: ScryptParameters = { ln: 14, r: 8, p: 1 };

/** One scrypt derivation: the password, its salt, the key length and the cost parameters. */
interface Derivation {
  password: string;
  salt: Buffer;
  keyBytes: number;
  params: ScryptParameters;
}

function deriveNow({ password, salt, keyBytes, params }: Derivation) {
  const N = 2 ** params.ln;
  const options: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    // Node refuses anything over 32 MiB by default; N=2^17, r=8 needs 128 MiB, plus headroom.
    maxmem: 128 * N * params.r * params.p + 32 * 1024 * 1024,
  };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

interface ParsedHash {
  params: ScryptParameters;
  salt: Buffer;
  hash: Buffer;
}

const PARAMETERS = /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/;

function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return undefined;
  if (parts.length === 3) {
    const [, salt = '', hash = ''] = parts;
    return { params: LEGACY, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  const match = parts.length === 4 ? PARAMETERS.exec(parts[1] ?? '') : null;
  if (!match) return undefined;
  const [ln, r, p] = match.slice(1).map(Number) as [number, number, number];
  // Bounds keep a corrupted row from asking for gigabytes of memory.
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return {
    params: { ln, r, p },
    salt: Buffer.from(parts[2] ?? '', 'base64'),
    hash: Buffer.from(parts[3] ?? '', 'base64'),
  };
}

/** True for hashes made with weaker parameters than today's: rehash at the next chance. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const { ln, r, p } = parsed.params;
  return ln < CURRENT.ln || r < CURRENT.r || p < CURRENT.p || parsed.hash.length < KEY_BYTES;
}

type Outcome = 'completed' | 'failed' | 'rejected' | 'abandoned';

const derivations = createCounter(
  'password_hashes_total',
  'Password derivations (to hash or verify), by outcome: completed or failed once run; rejected (the pool and its queue were full) and abandoned (the caller went away while it waited) never ran.',
  ['outcome'],
);

function outcomeOf(error: unknown): Outcome {
  if (error instanceof WorkPoolFull) return 'rejected';
  if (error instanceof WorkAbandoned) return 'abandoned';
  return 'failed';
}

/**
 * Hashing and checking passwords, each derivation a job in `pool`. `signal` is the caller's:
 * aborted while the job waits, the job is dropped and `WorkAbandoned` thrown. Past the pool's
 * queue, `WorkPoolFull` says when to come back.
 */
export class Passwords {
  private readonly pool: WorkPool;
  constructor(pool: WorkPool) {
    this.pool = pool;
    createGauge('password_hash_queue_depth', 'Password derivations waiting for a slot.', () =>
      Promise.resolve(pool.queued),
    );
    createGauge('password_hash_in_flight', 'Password derivations running now.', () =>
      Promise.resolve(pool.running),
    );
  }

  private async derive(derivation: Derivation, signal?: AbortSignal): Promise<Buffer> {
    try {
      const key = await this.pool.run(() => deriveNow(derivation), signal);
      derivations.inc({ outcome: 'completed' });
      return key;
    } catch (error) {
      derivations.inc({ outcome: outcomeOf(error) });
      throw error;
    }
  }

  async hash(
    password: string,
    options: { signal?: AbortSignal; params?: ScryptParameters } = {},
  ): Promise<string> {
    const params = options.params ?? CURRENT;
    const salt = randomBytes(SALT_BYTES);
    const hash = await this.derive({ password, salt, keyBytes: KEY_BYTES, params }, options.signal);
    const { ln, r, p } = params;
    return `scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
  }

  /** Whether `password` is the one `stored` was made from; compared in constant time. */
  async verify(password: string, stored: string, signal?: AbortSignal): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed || parsed.hash.length < 16 || parsed.hash.length > 128) return false;
    const { salt, hash, params } = parsed;
    const candidate = await this.derive({ password, salt, keyBytes: hash.length, params }, signal);
    return candidate.length === hash.length && timingSafeEqual(candidate, hash);
  }
}
