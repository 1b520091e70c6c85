import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/eventually.ts';
import { listeningSockets, processTree, socketInodes } from '../support/listening-sockets.ts';
import { freePort } from '../support/ports.ts';

const SERVER = fileURLToPath(new URL('../../infra/alert-webhook/server.ts', import.meta.url));

/** Where the alert webhook listens, started as the native stack and compose start it. */
async function webhookListening(
  host: string | undefined,
): Promise<{ port: number; listening: string[] }> {
  const port = await freePort();
  const webhook = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH, PORT: String(port), ...(host ? { HOST: host } : {}) },
    stdio: 'ignore',
  });
  try {
    await eventually('the alert webhook to answer', () =>
      fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.ok,
        () => false,
      ),
    );
    const ours = socketInodes(processTree(webhook.pid!));
    const listening = listeningSockets()
      .filter((s) => ours.has(s.inode))
      .map((s) => `${s.address}:${s.port}`);
    return { port, listening };
  } finally {
    const exited = new Promise((resolve) => webhook.once('exit', resolve));
    webhook.kill('SIGTERM');
    await exited;
  }
}

test('when the alert webhook starts without HOST, then it listens on 127.0.0.1 only', async () => {
  const { port, listening } = await webhookListening(undefined);

  assert.deepEqual(listening, [`127.0.0.1:${port}`]);
});

test('when the alert webhook starts with HOST=0.0.0.0 (its containers), then on every interface', async () => {
  const { port, listening } = await webhookListening('0.0.0.0');

  assert.deepEqual(listening, [`0.0.0.0:${port}`]);
});
