/**
 * The committed files that list the services (docker-compose.yml, .env, init.sql, the
 * Dockerfile, the Helm chart's list and values) against what `npm run services:sync` writes
 * from infra/dev/services.ts.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { SERVICES, serviceCalls, urlVariable } from '../../infra/dev/services.ts';
import { driftedFiles, syncedFiles } from '../../infra/services/sync.ts';
import { ROOT } from '../../infra/stack/pins.ts';

interface Compose {
  'x-service-env': Record<string, unknown>;
  services: Record<
    string,
    {
      command: string[];
      environment: Record<string, unknown>;
      ports: string[];
      depends_on: Record<string, unknown>;
    }
  >;
}

describe('the files generated from the service list', () => {
  const scratch: string[] = [];
  after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** A folder holding copies of the files sync reads, and what it needs to format them. */
  async function copyOfSyncedFiles(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-services-sync-'));
    scratch.push(dir);
    for (const path of [...(await syncedFiles()).keys(), '.prettierrc.json', '.prettierignore']) {
      cpSync(join(ROOT, path), join(dir, path), { recursive: true });
    }
    return dir;
  }

  test('when the list is synced, then every committed file is what it generates (run `npm run services:sync`)', async () => {
    for (const [path, content] of await syncedFiles()) {
      assert.equal(
        readFileSync(join(ROOT, path), 'utf8'),
        content,
        `${path} differs from what infra/dev/services.ts generates: run npm run services:sync`,
      );
    }
  });

  test('when a committed file drifts from the list, then the check names it', async () => {
    const dir = await copyOfSyncedFiles();
    const drift = (path: string, change: (text: string) => string) => {
      const before = readFileSync(join(dir, path), 'utf8');
      const after = change(before);
      assert.notEqual(after, before, `the drift in ${path} did not apply`);
      writeFileSync(join(dir, path), after);
    };
    assert.deepEqual(await driftedFiles(dir), []);
    drift('docker-compose.yml', (text) => text.replace(/^ {6}PORT: 8002$/m, '      PORT: 8012'));
    drift('infra/Dockerfile', (text) =>
      text.replace(/^COPY services\/payment-service\/src .*\n/m, ''),
    );
    drift('deploy/helm/sightline/files/services.json', (text) => text.replace('8080', '8081'));
    assert.deepEqual((await driftedFiles(dir)).sort(), [
      'deploy/helm/sightline/files/services.json',
      'docker-compose.yml',
      'infra/Dockerfile',
    ]);
  });

  test('when a marker of a generated block is gone, then sync refuses rather than writing around it', async () => {
    const dir = await copyOfSyncedFiles();
    const path = join(dir, 'infra/postgres/init.sql');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^-- end of the services.*$/m, ''));
    await assert.rejects(
      syncedFiles(dir),
      /init\.sql: a generated block opened on line \d+ never ends/,
    );
  });

  test('when compose is read, then each listed service runs on its port, is reached at its URL and starts after what it needs', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as Compose;
    const calls = serviceCalls();
    for (const service of SERVICES) {
      const block = compose.services[service.name];
      assert.ok(block, `no compose service ${service.name}`);
      assert.equal(block.environment.PORT, service.port);
      assert.ok(block.command.includes(`services/${service.name}/src/main.ts`));
      assert.ok(block.ports[0]?.endsWith(`:${service.port}`));
      if (service.name !== 'api-gateway') {
        assert.equal(
          compose['x-service-env'][urlVariable(service.name)],
          `http://${service.name}:${service.port}`,
        );
      }
      const needs = [...(service.database ? ['postgres'] : []), ...(calls[service.name] ?? [])];
      for (const need of needs) assert.ok(need in block.depends_on, `${service.name} → ${need}`);
    }
    assert.deepEqual(
      calls['api-gateway'],
      SERVICES.filter((s) => s.public).map((s) => s.name),
    );
  });
});
