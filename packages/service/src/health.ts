import type { Express } from 'express';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function run(check: ReadinessCheck): Promise<string> {
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref(),
      ),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * `/health/live`: the process is up. `/health/ready`: it can serve traffic now, meaning every
 * readiness check passes and it is not shutting down.
 */
export function mountHealthRoutes(
  app: Express,
  checks: ReadinessCheck[],
  isDraining: () => boolean,
): void {
  app.get('/health/live', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_request, response) => {
    if (isDraining()) {
      response.status(503).json({ status: 'draining' });
      return;
    }
    const results = Object.fromEntries(
      await Promise.all(checks.map(async (check) => [check.name, await run(check)] as const)),
    );
    const ready = Object.values(results).every((result) => result === 'ok');
    response
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ok' : 'unavailable', checks: results });
  });
}
