import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backends, versionOutput } from '../../infra/stack/backends.ts';

for (const backend of Object.values(backends())) {
  for (const binary of Object.keys(backend.binaries)) {
    test(`when ${binary} is asked its version, then it reports ${backend.name} ${backend.version}, the .env pin`, () => {
      const output = versionOutput(backend, binary);
      assert.ok(backend.reportsPinnedVersion(output), `${binary} says: ${output.slice(0, 300)}`);
    });
  }
}
