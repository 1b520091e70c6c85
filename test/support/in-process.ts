import type { RunningService } from '@sightline/service';
import type { z } from 'zod';
import type { ServiceSpec } from '../../infra/dev/services.ts';
import { createTestDatabase } from './database.ts';

export interface StartedService {
  service: RunningService;
  databaseUrl: string;
}

interface ServiceModule {
  start(config: unknown): Promise<RunningService>;
}

/**
 * Starts one service inside the test process, on a free port and a fresh database, with its
 * real configuration schema. For component tests; the end-to-end tests start real processes.
 */
export async function startInProcess(
  name: ServiceSpec['name'],
  env: Record<string, string> = {},
): Promise<StartedService> {
  const main = (await import(`../../services/${name}/src/main.ts`)) as ServiceModule;
  const { configSchema } = (await import(`../../services/${name}/src/config.ts`)) as {
    configSchema: z.ZodType;
  };
  const databaseUrl = await createTestDatabase(name.replaceAll('-', '_'));
  const config = configSchema.parse({ PORT: '0', DATABASE_URL: databaseUrl, ...env });
  return { service: await main.start(config), databaseUrl };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}
