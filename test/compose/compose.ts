import { spawn, spawnSync } from 'node:child_process';
import { COMPOSE_FILES, composeBinary } from '../../harness/compose-run/tools.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { eventually } from '../support/eventually.ts';

/**
 * `docker compose` on the running stack (its engine: DOCKER_HOST, as run.ts set it). Async,
 * so traffic a test sends keeps flowing while compose stops or starts a container.
 */
export async function dockerCompose(...args: string[]): Promise<string> {
  const child = spawn(
    composeBinary(),
    [...COMPOSE_FILES.flatMap((f) => ['-f', f]), '--env-file', '.env', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`docker compose ${args.join(' ')}: ${stderr}`);
  return stdout;
}

export function docker(...args: string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The container compose runs for a service (docker's own labels name it). */
export function containerId(service: string): string {
  const id = docker(
    'ps',
    '--all',
    '--quiet',
    '--filter',
    'label=com.docker.compose.project=sightline',
    '--filter',
    `label=com.docker.compose.service=${service}`,
  ).trim();
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
