import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt at OWASP's current recommendation (N=2^17, r=8, p=1), stored as
 * one self-describing string, `scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64), so the cost can
 * be raised later without losing the ability to check older hashes. The password itself is
 * never stored or logged.
 *
 * Each hash takes ~100+ ms of CPU and 128 MiB of memory (128 · N · r bytes); `crypto.scrypt`
 * runs it on libuv's thread pool, off the event loop.
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

/**
 * One derivation at a time: each holds 128 MiB outside the JS heap, and a burst of sign-ups
 * must not multiply that past the container's memory limit. They queue instead.
 */
let queue: Promise<unknown> = Promise.resolve();

function derive(
  password: string,
  salt: Buffer,
  keyBytes: number,
  params: ScryptParameters,
): Promise<Buffer> {
  const next = queue.then(() => deriveNow(password, salt, keyBytes, params));
  queue = next.catch(() => undefined);
  return next;
}

function deriveNow(password: string, salt: Buffer, keyBytes: number, params: ScryptParameters) {
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

export async function hashPassword(
  password: string,
  params: ScryptParameters = CURRENT,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, KEY_BYTES, params);
  const { ln, r, p } = params;
  return `scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
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

/** Whether `password` is the one `stored` was made from; compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.hash.length < 16 || parsed.hash.length > 128) return false;
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed.params);
  return candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
}

/** True for hashes made with weaker parameters than today's: rehash at the next chance. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const { ln, r, p } = parsed.params;
  return ln < CURRENT.ln || r < CURRENT.r || p < CURRENT.p || parsed.hash.length < KEY_BYTES;
}
