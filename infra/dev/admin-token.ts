import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm start` and `npm run stack` leave their admin token for `npm run fault`. */
export const ADMIN_TOKEN_FILE = fileURLToPath(new URL('../../.data/admin-token', import.meta.url));

/**
 * The admin token for one local run: SIGHTLINE_ADMIN_TOKEN if you set one, else a fresh
 * random token written to `.data/admin-token` (readable by you only). A fixed default would be
 * known to anyone who read this repository, and anyone on this machine (or, with HOST=0.0.0.0,
 * on its network) reaches these services.
 */
export function adminTokenForRun(): string {
  const given = process.env.SIGHTLINE_ADMIN_TOKEN?.trim();
  if (given) return given;
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(ADMIN_TOKEN_FILE), { recursive: true });
  writeFileSync(ADMIN_TOKEN_FILE, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Once the run is over its token is worthless; leave none behind to confuse the next. Only
 * this run's own token is removed: a run started while this one was still stopping (the
 * native stack right after `npm start`) has written its own, and keeps it.
 */
export function forgetAdminToken(token: string): void {
  let written: string;
  try {
    written = readFileSync(ADMIN_TOKEN_FILE, 'utf8').trim();
  } catch {
    return; // none written (SIGHTLINE_ADMIN_TOKEN was set), or already gone
  }
  if (written === token) rmSync(ADMIN_TOKEN_FILE, { force: true });
}
