import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stackBackends, versionOutput } from '../../infra/stack/backends.ts';

// Every backend the stack runs: those we build, and a Loki of your own if you bring one.
for (const backend of stackBackends()) {
  for (const binary of Object.keys(backend.binaries)) {
    test(`when ${binary} is asked its version, then it reports ${backend.name} ${backend.version}, the .env pin`, () => {
      const output = versionOutput(backend, binary);
      assert.ok(backend.reportsPinnedVersion(output), `${binary} says: ${output.slice(0, 300)}`);
    });
  }
}
