import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { spawnService } from '../../infra/dev/services.ts';
import { eventually } from '../support/eventually.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort } from '../support/ports.ts';
import { startRecordingServer } from '../support/recording-server.ts';
import { newTraceparent } from '../support/system.ts';

const SERVER = 2;
const USER = '/api/users/00000000-0000-4000-8000-000000000000';

/** The gateway as its own process, with its upstreams at `upstreamUrl`. */
async function startGateway(
  env: Record<string, string>,
  upstreamUrl: string,
  otlpUrl: string,
): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawnService(
    'api-gateway',
    {
      PATH: process.env.PATH,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      USER_SERVICE_URL: upstreamUrl,
      ORDER_SERVICE_URL: upstreamUrl,
      PAYMENT_SERVICE_URL: upstreamUrl,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      SHUTDOWN_READINESS_DELAY_MS: '0',
      ...env,
    },
    'ignore',
  );
  const url = `http://127.0.0.1:${port}`;
  await eventually('the gateway to be ready', async () => {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    return (await fetch(`${url}/health/ready`)).ok;
  });
  return { url, process: child };
}

describe("what the gateway accepts of a caller's trace context", () => {
  let receiver: OtlpReceiver;
  let upstream: Awaited<ReturnType<typeof startRecordingServer>>;
  const gateways: ChildProcess[] = [];

  before(async () => {
    receiver = await startOtlpReceiver();
    // Stands at the services' addresses: what it receives is what the gateway passed on.
    upstream = await startRecordingServer({ status: 200, body: { id: 'x' } });
  });
  after(async () => {
    await Promise.all(
      gateways.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    await upstream.close();
    await receiver.close();
  });

  test('when the caller sends baggage, then only allow-listed keys reach the services', async () => {
    const gateway = await startGateway(
      { BAGGAGE_ALLOWED_KEYS: 'tenant' },
      upstream.url,
      receiver.url,
    );
    gateways.push(gateway.process);

    const response = await fetch(`${gateway.url}${USER}`, {
      headers: { baggage: 'tenant=acme,internal.admin=true,userId=alice' },
    });

    assert.equal(response.status, 200);
    assert.equal(upstream.requests.at(-1)?.headers.baggage, 'tenant=acme');
  });

  test('when nothing is allow-listed (the default), then no baggage reaches the services', async () => {
    const gateway = await startGateway({}, upstream.url, receiver.url);
    gateways.push(gateway.process);

    await fetch(`${gateway.url}${USER}`, { headers: { baggage: 'tenant=acme' } });

    assert.equal(upstream.requests.at(-1)?.headers.baggage, undefined);
  });

  test('when inbound trace context is trusted (the default), then the services continue the caller’s trace', async () => {
    const gateway = await startGateway({}, upstream.url, receiver.url);
    gateways.push(gateway.process);
    const caller = newTraceparent();

    const response = await fetch(`${gateway.url}${USER}`, {
      headers: { traceparent: caller.traceparent },
    });

    assert.match(
      String(upstream.requests.at(-1)?.headers.traceparent),
      new RegExp(`^00-${caller.traceId}-`),
    );
    assert.match(response.headers.get('traceresponse') ?? '', new RegExp(`^00-${caller.traceId}-`));
  });

  test('when inbound trace context is not trusted, then a new trace starts, linked to the caller’s', async () => {
    const gateway = await startGateway(
      { TRUST_INBOUND_TRACE_CONTEXT: 'false' },
      upstream.url,
      receiver.url,
    );
    gateways.push(gateway.process);
    const caller = newTraceparent();

    const response = await fetch(`${gateway.url}${USER}`, {
      headers: { traceparent: caller.traceparent },
    });

    const traceId = /^00-([0-9a-f]{32})-/.exec(response.headers.get('traceresponse') ?? '')?.[1];
    assert.ok(traceId, 'no traceresponse');
    assert.notEqual(traceId, caller.traceId);
    assert.match(
      String(upstream.requests.at(-1)?.headers.traceparent),
      new RegExp(`^00-${traceId}-`),
    );
    const server = await eventually('the gateway server span of the new trace', () =>
      receiver.spans.find((s) => s.traceId === traceId && s.kind === SERVER),
    );
    assert.equal(server.parentSpanId, '');
    assert.deepEqual(server.links, [{ traceId: caller.traceId, spanId: caller.parentSpanId }]);
  });
});
