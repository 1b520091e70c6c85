import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveServiceIdentity } from '../src/service-identity.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'sightline-identity-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A copy of user-service's package.json (its name still `@sightline/user-service`) in a folder
 * of another name, with an entry script that prints the identity the kit resolves for it.
 */
function copiedService(folder: string): string {
  const dir = join(scratch, 'services', folder);
  mkdirSync(join(dir, 'src'), { recursive: true });
  cpSync(join(ROOT, 'services/user-service/package.json'), join(dir, 'package.json'));
  const kit = new URL('../src/service-identity.ts', import.meta.url).href;
  const main = join(dir, 'src/main.ts');
  writeFileSync(
    main,
    `import { serviceIdentity } from '${kit}';\nconsole.log(JSON.stringify(serviceIdentity()));\n`,
  );
  return main;
}

test('when a service folder is copied under a new name, then the process reports the folder name, not the package name it was copied from', () => {
  const main = copiedService('loyalty-service');

  const result = spawnSync(process.execPath, [main], {
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
  });

  assert.equal(result.status, 0, result.stderr);
  const identity = JSON.parse(result.stdout) as { name: string; version: string };
  assert.equal(identity.name, 'loyalty-service');
  assert.equal(identity.version, '0.1.0');
});

test('when OTEL_SERVICE_NAME is set, then it wins over the folder name', () => {
  const main = copiedService('renamed-service');

  assert.equal(resolveServiceIdentity({ OTEL_SERVICE_NAME: 'chosen' }, main).name, 'chosen');
  assert.equal(resolveServiceIdentity({}, main).name, 'renamed-service');
});

test('when each real service starts from its own folder, then each reports that folder name', () => {
  for (const name of ['api-gateway', 'user-service', 'order-service', 'payment-service']) {
    const main = join(ROOT, 'services', name, 'src/main.ts');
    assert.equal(resolveServiceIdentity({}, main).name, name);
  }
});
