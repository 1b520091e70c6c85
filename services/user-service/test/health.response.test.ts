import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase } from '../../../test/support/database.ts';
import { freePort } from '../../../test/support/ports.ts';
import { configSchema } from '../src/config.ts';
import { start } from '../src/main.ts';

test('when the database is reachable, then ready is 200; when the service is stopping, then the port is closed', async () => {
  const service = await start(
    configSchema.parse({ PORT: '0', DATABASE_URL: await createTestDatabase('users_health') }),
  );

  const live = await fetch(`${service.url}/health/live`);
  const ready = await fetch(`${service.url}/health/ready`);
  assert.equal(live.status, 200);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ok', checks: { database: 'ok' } });

  await service.stop();
  await assert.rejects(fetch(`${service.url}/health/live`));
});

test('when the database is unreachable, then start fails rather than serving without it', async () => {
  const port = await freePort();
  await assert.rejects(
    start(
      configSchema.parse({ PORT: '0', DATABASE_URL: `postgres://nobody:x@127.0.0.1:${port}/none` }),
    ),
    /ECONNREFUSED/,
  );
});
