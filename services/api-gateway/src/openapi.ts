import { readFileSync } from 'node:fs';

/**
 * The OpenAPI 3.1 document of the public API, `services/api-gateway/openapi.json`. The gateway
 * reads it as it starts and serves it at `GET /openapi.json`.
 */
export function readOpenApiDocument(): unknown {
  return JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));
}
