/**
 * `npm run test:stack`: starts the native stack exactly as a user does (`npm run stack`)
 * and stops it afterwards (`npm run stack:down`). It needs `npm run stack:install` first.
 *
 * Loki never runs on our machines (AGPL), so before the stack starts, this process starts
 * a stand-in for Loki's OTLP endpoint (harness/stand-ins/loki-otlp-receiver.ts) and hands the stack its address
 * as LOKI_OTLP_ENDPOINT: the real collector then delivers log records there, where the
 * tests read them (LOKI_STAND_IN_URL).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLokiStandIn, type LokiStandIn } from '../../harness/stand-ins/loki-otlp-receiver.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let standIn: LokiStandIn | undefined;

/** Runs a script with this Node; async, so the stand-in keeps answering meanwhile. */
async function run(script: string, args: string[] = []): Promise<void> {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
}

export async function globalSetup(): Promise<void> {
  standIn = await startLokiStandIn();
  process.env.LOKI_OTLP_ENDPOINT = standIn.otlpEndpoint;
  process.env.LOKI_STAND_IN_URL = standIn.otlpEndpoint.replace(/\/otlp$/, '');
  // Classroom mode, as a trainer starts it: alerts wait 30 s instead of 5-10 min, so the
  // drills page within a minute or two. One drill then runs on the shipped rules
  // (drills.stack.test.ts, `npm run stack:rules -- shipped`).
  await run('infra/stack/up.ts', ['--classroom']);
}

export async function globalTeardown(): Promise<void> {
  try {
    await run('infra/stack/down.ts');
  } finally {
    standIn?.server.close();
  }
}
