/**
 * Docker Compose v2 (Apache-2.0), in the version `.env` pins (DOCKER_COMPOSE_VERSION),
 * built from its Go module into the stack cache, as the backends are. `go install …@version`
 * refuses the module (its go.mod has `exclude` directives), so it is built with `go build`
 * inside the downloaded module, like Jaeger. The binary runs standalone (`docker-compose`);
 * it talks to whatever engine DOCKER_HOST names.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { goEnv } from '../backends/build-commands.ts';
import { withInstallLock } from '../../infra/stack/install-lock.ts';
import { pin } from '../../infra/stack/pins.ts';
import { composeBinary, LOG_DIR, output, pins, run } from './tools.ts';

const MODULE = 'github.com/docker/compose/v2';

export function installCompose(): Promise<string> {
  return withInstallLock(dirname(composeBinary()), buildCompose);
}

async function buildCompose(): Promise<string> {
  const version = pin(pins, 'DOCKER_COMPOSE_VERSION');
  const binary = composeBinary();
  if (existsSync(binary) && (await output(binary, ['version']))?.includes(`v${version}`)) {
    console.log(`✓ Docker Compose ${version} (cached in ${dirname(binary)})`);
    return binary;
  }
  const log = join(LOG_DIR, `docker-compose-${version}.log`);
  console.log(`… Docker Compose ${version}: building (log: ${log})`);
  const started = Date.now();
  const env = goEnv({ CGO_ENABLED: '0' });
  mkdirSync(dirname(binary), { recursive: true });
  const download = join(dirname(binary), 'download.json');
  await run('sh', ['-c', `go mod download -json ${MODULE}@v${version} > ${download}`], {
    env,
    log,
  });
  const { Dir } = JSON.parse(readFileSync(download, 'utf8')) as { Dir: string };
  // Built under another name and renamed once complete: an interrupted build is not reused.
  const partial = `${binary}.partial`;
  await run(
    'nice',
    [
      '-n',
      process.env.SIGHTLINE_BUILD_NICE ?? '10',
      'go',
      'build',
      '-trimpath',
      '-ldflags',
      `-s -w -X ${MODULE}/internal.Version=v${version}`,
      '-o',
      partial,
      './cmd',
    ],
    { cwd: Dir, env, log },
  );
  renameSync(partial, binary);
  console.log(
    `✓ Docker Compose ${version} built in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return binary;
}

if (import.meta.main) await installCompose();
