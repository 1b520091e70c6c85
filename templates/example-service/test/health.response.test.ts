import assert from 'node:assert/strict';
import { test } from 'node:test';
// #region database
import { createTestDatabase } from '../../../test/support/database.ts';
import { freePort } from '../../../test/support/ports.ts';
// #endregion database
import { configSchema } from '../src/config.ts';
import { start } from '../src/main.ts';

test('when it has started, then live and ready are 200 and /metrics names the service; once stopped, the port is closed', async () => {
  const service = await start(
    configSchema.parse({
      PORT: '0',
      // #region database
      DATABASE_URL: await createTestDatabase('example_service_health'),
      // #endregion database
    }),
  );

  const live = await fetch(`${service.url}/health/live`);
  const ready = await fetch(`${service.url}/health/ready`);
  assert.equal(live.status, 200);
  assert.equal(ready.status, 200);
  // #region database
  assert.deepEqual(await ready.json(), { status: 'ok', checks: { database: 'ok' } });
  // #endregion database
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(metrics, /service_name="example-service"/);

  await service.stop();
  await assert.rejects(fetch(`${service.url}/health/live`));
});

// #region database
test('when the database is unreachable, then start fails rather than serving without it', async () => {
  const port = await freePort();
  await assert.rejects(
    start(
      configSchema.parse({ PORT: '0', DATABASE_URL: `postgres://nobody:x@127.0.0.1:${port}/none` }),
    ),
    /ECONNREFUSED/,
  );
});
// #endregion database
