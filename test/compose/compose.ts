import { spawnSync } from 'node:child_process';
import { composeBinary } from '../../infra/compose-run/tools.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { eventually } from '../support/eventually.ts';

/** `docker compose` on the running stack (its engine: DOCKER_HOST, as run.ts set it). */
export function dockerCompose(...args: string[]): string {
  const result = spawnSync(
    composeBinary(),
    ['-f', 'docker-compose.yml', '--env-file', '.env', ...args],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`docker compose ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

export function docker(...args: string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

export function containerId(service: string): string {
  const id = dockerCompose('ps', '--all', '--quiet', service).trim();
  if (!id) throw new Error(`compose has no container for ${service}`);
  return id;
}

export interface ContainerState {
  status: string;
  health: string | undefined;
  restartCount: number;
  pid: number;
}

export function containerState(service: string): ContainerState {
  const out = docker(
    'inspect',
    '--format',
    '{{json .State}} {{.RestartCount}}',
    containerId(service),
  ).trim();
  const [json, restarts] = [
    out.slice(0, out.lastIndexOf(' ')),
    out.slice(out.lastIndexOf(' ') + 1),
  ];
  const state = JSON.parse(json) as { Status: string; Pid: number; Health?: { Status: string } };
  return {
    status: state.Status,
    health: state.Health?.Status,
    restartCount: Number(restarts),
    pid: state.Pid,
  };
}

/** Waits until compose's healthcheck reports the service's container healthy. */
export async function healthy(service: string, timeoutMs = 120_000): Promise<ContainerState> {
  return eventually(
    `${service} healthy`,
    () => {
      const state = containerState(service);
      return state.status === 'running' && state.health === 'healthy' && state;
    },
    timeoutMs,
  );
}
