import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { getJson, GATEWAY } from '../stack/stack.ts';
import { containerState, healthy } from './compose.ts';

const SERVICE = 'order-service';

test('when a service process dies, then its restart policy starts the container again and it comes back healthy', async () => {
  const before = await healthy(SERVICE);
  // A crash, not a stop: the container's main process is killed from outside, as the kernel's
  // OOM killer would. A `docker stop` would not count, as Docker does not restart what was
  // stopped on purpose.
  process.kill(before.pid, 'SIGKILL');

  const after = await eventually(
    `${SERVICE} restarted by Docker`,
    () => {
      const state = containerState(SERVICE);
      return state.restartCount > before.restartCount && state;
    },
    60_000,
  );
  assert.notEqual(after.pid, before.pid);
  await healthy(SERVICE);
  // Through the gateway: it reaches the restarted container again by its compose name.
  const { items } = await getJson<{ items: unknown[] }>(`${GATEWAY}/api/products`);
  assert.ok(items.length > 0);
});
