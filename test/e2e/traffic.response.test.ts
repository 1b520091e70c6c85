/**
 * The traffic service (infra/traffic/main.ts), as compose and `npm run stack` start it, against
 * the four services: customers who pay, are declined, send an invalid order and ask for ids
 * that do not exist, every request with its own trace and the synthetic-traffic baggage.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../../infra/stack/pins.ts';
import { eventually } from '../support/eventually.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { System } from '../support/system.ts';

const SERVER = 2;

function startTraffic(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['infra/traffic/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('the traffic service, against the four services', () => {
  let receiver: OtlpReceiver;
  let system: System;

  before(async () => {
    receiver = await startOtlpReceiver();
    system = await System.start({
      otlpUrl: receiver.url,
      env: { 'api-gateway': { BAGGAGE_ALLOWED_KEYS: 'user_agent.synthetic.type' } },
    });
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
  });

  test('when it runs, then the gateway serves paid, declined, invalid and unknown-id requests, each its own trace; on SIGTERM it stops cleanly', async () => {
    const traffic = startTraffic({
      TARGET_URL: system.url('api-gateway'),
      TRAFFIC_RATE: '10',
      TRAFFIC_USERS: '3',
    });
    try {
      // What the gateway answered, by route and status, from the spans it exported.
      const answered = () =>
        new Set(
          receiver.spans
            .filter((s) => s.service === 'api-gateway' && s.kind === SERVER)
            .map(
              (s) =>
                `${String(s.attributes['http.route'])} ${String(s.attributes['http.response.status_code'])}`,
            ),
        );
      const expected = [
        '/api/users 201',
        '/api/products 200',
        '/api/orders 201',
        '/api/orders 402',
        '/api/orders 400',
        '/api/orders/:id 200',
        '/api/orders/:id 404',
        '/api/users/:id 404',
      ];
      await eventually(
        `the gateway to answer ${expected.join(', ')}`,
        () => expected.every((answer) => answered().has(answer)),
        90_000,
      );
      const gatewayTraces = receiver.spans
        .filter((s) => s.service === 'api-gateway' && s.kind === SERVER)
        .map((s) => s.traceId);
      assert.equal(new Set(gatewayTraces).size, gatewayTraces.length, 'one trace per request');
      assert.ok(
        !answered().has('/api/orders 500') && ![...answered()].some((a) => a.endsWith(' 503')),
        [...answered()].join(', '),
      );
    } finally {
      traffic.child.kill('SIGTERM');
    }
    assert.equal(await exited(traffic.child), 0, traffic.output());
    assert.match(traffic.output(), /"msg":"traffic stopped"/);
  });

  test('when TRAFFIC_RATE=0, then it exits 0 at once, saying the traffic is off', async () => {
    const traffic = startTraffic({ TARGET_URL: system.url('api-gateway'), TRAFFIC_RATE: '0' });

    assert.equal(await exited(traffic.child), 0);
    assert.match(traffic.output(), /traffic off \(TRAFFIC_RATE=0\)/);
    assert.doesNotMatch(traffic.output(), /traffic on/);
  });
});
