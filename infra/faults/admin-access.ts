/**
 * How `npm run fault` and `npm run drill` reach a service's admin API: one rule for both.
 *
 * The token: SIGHTLINE_ADMIN_TOKEN if set (what you exported for docker compose, or gave
 * `npm start` / `npm run stack`), else the one `npm start` or `npm run stack` left in
 * .data/admin-token. The address: 127.0.0.1 on the service's port from .env (the port
 * `npm start`, `npm run stack` and docker compose all use), unless USER_SERVICE_PORT,
 * ORDER_SERVICE_PORT or PAYMENT_SERVICE_PORT is set in the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ADMIN_TOKEN_FILE } from '../dev/admin-token.ts';
import { DEFAULT_PORTS, type ServiceSpec } from '../dev/services.ts';
import { readPins, ROOT } from '../stack/pins.ts';

export interface AdminToken {
  value: string;
  /** Where it came from, for an error message that names it. */
  from: string;
}

export class NoAdminToken extends Error {
  constructor() {
    super(
      `No admin token: set SIGHTLINE_ADMIN_TOKEN (the token docker compose was started with), ` +
        `or start Sightline with \`npm start\` or \`npm run stack\`, which write ` +
        `${relative(ROOT, ADMIN_TOKEN_FILE)}; neither is there.`,
    );
  }
}

export function adminToken(): AdminToken {
  const fromEnv = process.env.SIGHTLINE_ADMIN_TOKEN?.trim();
  if (fromEnv) return { value: fromEnv, from: 'SIGHTLINE_ADMIN_TOKEN' };
  const fromFile = existsSync(ADMIN_TOKEN_FILE)
    ? readFileSync(ADMIN_TOKEN_FILE, 'utf8').trim()
    : '';
  if (fromFile) return { value: fromFile, from: relative(ROOT, ADMIN_TOKEN_FILE) };
  throw new NoAdminToken();
}

export function adminBaseUrl(service: ServiceSpec['name']): string {
  const key = `${service.replace('-service', '').toUpperCase()}_SERVICE_PORT`;
  const port = process.env[key] || readPins()[key] || DEFAULT_PORTS[service];
  return `http://127.0.0.1:${port}`;
}
