import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import { registry, requestMetrics } from '@sightline/telemetry';
import { eventually } from '../../../test/support/eventually.ts';

/**
 * The RED histogram must count a request whose client gave up before the answer: a gateway
 * timeout or an impatient user is exactly the slow request a latency panel has to show.
 */
describe('request metrics, when the client aborts', () => {
  let url: string;
  let close: () => void;
  const reached = Promise.withResolvers<void>();
  const clientGone = Promise.withResolvers<void>();

  before(async () => {
    const app = express();
    app.use(requestMetrics);
    // Answers only after the client has gone: the response can never finish.
    app.get('/test/hangs', (request) => {
      reached.resolve();
      request.once('close', () => clientGone.resolve());
    });
    app.get('/test/answers', (_request, response) => void response.status(503).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());

  const lineOf = async (route: string) =>
    (await registry.metrics())
      .split('\n')
      .find(
        (line) =>
          line.startsWith('http_server_request_duration_seconds_count') &&
          line.includes(`http_route="${route}"`),
      );

  test('when the client aborts before the answer, then the request is observed as aborted, without a status', async () => {
    const controller = new AbortController();
    const pending = fetch(`${url}/test/hangs`, { signal: controller.signal }).catch(() => {});
    await reached.promise;
    controller.abort();
    await pending;
    await clientGone.promise;
    const line = await eventually('the aborted request in the histogram', () =>
      lineOf('/test/hangs'),
    );
    assert.match(line, /error_type="aborted"/);
    assert.match(line, /http_request_method="GET"/);
    assert.doesNotMatch(line, /http_response_status_code/);
    assert.match(line, / 1$/);
  });

  test('when the service answers 503, then the observation has the status and its error type', async () => {
    await (await fetch(`${url}/test/answers`)).arrayBuffer();
    const line = await eventually('the 503 in the histogram', () => lineOf('/test/answers'));
    assert.match(line, /http_response_status_code="503"/);
    assert.match(line, /error_type="503"/);
  });

  test('when the histogram is exported, then its buckets are the OpenTelemetry HTTP boundaries', async () => {
    const bounds = (await registry.metrics())
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('http_server_request_duration_seconds_bucket') &&
          l.includes('/test/answers'),
      )
      .map((l) => /le="([^"]+)"/.exec(l)?.[1]);
    assert.deepEqual(bounds, [
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.075',
      '0.1',
      '0.25',
      '0.5',
      '0.75',
      '1',
      '2.5',
      '5',
      '7.5',
      '10',
      '+Inf',
    ]);
  });
});
