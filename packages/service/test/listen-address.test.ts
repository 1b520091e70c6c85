import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { SERVICES } from '../../../infra/dev/services.ts';
import { startInProcess } from '../../../test/support/in-process.ts';

/** HOST, read by every service's config (baseConfigSchema) and passed to startService. */
describe('the address each service listens on', () => {
  for (const { name } of SERVICES) {
    test(`when HOST is unset, then ${name} listens on 127.0.0.1 only`, async (t) => {
      const { service } = await startInProcess(name);
      t.after(() => service.stop());

      assert.equal((service.server.address() as AddressInfo).address, '127.0.0.1');
    });

    test(`when HOST=0.0.0.0, then ${name} listens on every interface, and its url still reaches it`, async (t) => {
      const { service } = await startInProcess(name, { HOST: '0.0.0.0' });
      t.after(() => service.stop());

      assert.equal((service.server.address() as AddressInfo).address, '0.0.0.0');
      assert.equal((await fetch(`${service.url}/health/live`)).status, 200);
    });
  }
});
