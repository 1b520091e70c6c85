/**
 * `npm run bench:compose`: each container's peak memory, as its cgroup counts it (what its
 * memory limit is checked against), after `docker compose up` and load through the gateway:
 *   1. a minute of steady traffic (5 orders and 20 catalog reads a second), as bench:stack;
 *   2. 30 s of saturation: 16 clients sending orders and catalog reads back to back.
 * Prints a table for docs/performance.md: peak, limit, limit ÷ peak. Run by
 * harness/compose-run/run.ts with the stack up (it reads the cgroups of a local engine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pin, readPins, ROOT } from '../stack/pins.ts';
import { composeBinary } from './compose-binary.ts';
import { Traffic } from './traffic.ts';

const GATEWAY = `http://127.0.0.1:${pin(readPins(), 'API_GATEWAY_PORT')}`;
const STEADY_SECONDS = Number(process.env.TRAFFIC_SECONDS ?? 60);
const SATURATION_SECONDS = Number(process.env.SATURATION_SECONDS ?? 30);
const MiB = 1024 * 1024;

function capture(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

interface Container {
  service: string;
  limit: number;
  cgroupFile: string;
}

/** Every running container of the project, with its limit and its cgroup's peak file. */
function containers(): Container[] {
  const ids = capture(composeBinary(), [
    '-f',
    'docker-compose.yml',
    '--env-file',
    '.env',
    'ps',
    '-q',
  ])
    .split('\n')
    .filter(Boolean);
  return ids.map((id) => {
    const [service, limit, pid] = capture('docker', [
      'inspect',
      '--format',
      '{{ index .Config.Labels "com.docker.compose.service" }} {{ .HostConfig.Memory }} {{ .State.Pid }}',
      id,
    ])
      .trim()
      .split(' ');
    const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
    const v1 = lines.find((l) => /^\d+:memory:/.test(l));
    const cgroupFile = v1
      ? `/sys/fs/cgroup/memory${v1.split(':')[2]}/memory.max_usage_in_bytes`
      : `/sys/fs/cgroup${lines.find((l) => l.startsWith('0::'))!.slice(3)}/memory.peak`;
    if (!existsSync(cgroupFile)) throw new Error(`${service}: no ${cgroupFile}`);
    return { service: service!, limit: Number(limit), cgroupFile };
  });
}

/** A new customer's id, signed up through the gateway. */
const traffic = new Traffic(GATEWAY);
const newUser = () => traffic.newUser();
const order = (userId: string) => traffic.order(userId);
const products = () => traffic.products();

export async function benchCompose(): Promise<void> {
  const list = containers();
  const userId = await newUser();
  const statuses = new Map<number, number>();
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

  let deadline = Date.now() + STEADY_SECONDS * 1000;
  while (Date.now() < deadline) {
    const tick = Date.now();
    const batch = await Promise.all([
      ...Array.from({ length: 5 }, () => order(userId)),
      ...Array.from({ length: 20 }, products),
    ]);
    batch.forEach(count);
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
  const steady = [...statuses.values()].reduce((a, b) => a + b, 0);

  deadline = Date.now() + SATURATION_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      while (Date.now() < deadline) count(await (i % 4 === 0 ? order(userId) : products()));
    }),
  );
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  // A registration (one password hash) for user-service's peak, as in real use.
  await newUser();

  console.log(
    `traffic: ${steady} requests in ${STEADY_SECONDS} s steady, then ${total - steady} in ` +
      `${SATURATION_SECONDS} s saturated (${Math.round((total - steady) / SATURATION_SECONDS)}/s); ` +
      `statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
  );
  console.log('| container | peak (MiB) | limit (MiB) | limit ÷ peak |');
  console.log('|---|---:|---:|---:|');
  let peakSum = 0;
  let limitSum = 0;
  for (const c of list.sort((a, b) => a.service.localeCompare(b.service))) {
    const peak = Number(readFileSync(c.cgroupFile, 'utf8')) / MiB;
    const limit = c.limit / MiB;
    peakSum += peak;
    limitSum += limit;
    const ratio = limit / peak;
    console.log(
      `| ${c.service} | ${peak.toFixed(0)} | ${limit.toFixed(0)} | ${ratio.toFixed(2)}${ratio < 1.3 ? ' (under 1.3)' : ''} |`,
    );
  }
  console.log(`| **sum** | **${peakSum.toFixed(0)}** | **${limitSum.toFixed(0)}** | |`);
}
