import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRecordingServer } from '../../../test/support/recording-server.ts';
import { createServiceClient, UnsafeRequestTarget } from '../src/service-client.ts';

describe('the service client calls only the service it was made for', () => {
  let elsewhere: Awaited<ReturnType<typeof startRecordingServer>>;
  let redirecting: Awaited<ReturnType<typeof startRecordingServer>>;

  before(async () => {
    elsewhere = await startRecordingServer({ status: 200 });
    redirecting = await startRecordingServer({
      status: 302,
      headers: { location: `${elsewhere.url}/internal` },
    });
  });
  after(async () => {
    await elsewhere.close();
    await redirecting.close();
  });

  const client = () =>
    createServiceClient({ dependency: 'some-service', baseURL: redirecting.url, timeoutMs: 2000 });

  test('when the service answers with a redirect, then the 3xx is the answer and its Location is never called', async () => {
    const response = await client().get('/api/things');

    assert.equal(response.status, 302);
    assert.equal(redirecting.requests.length, 1);
    assert.equal(elsewhere.requests.length, 0);
  });

  for (const target of ['absolute', 'scheme-relative', 'other base']) {
    test(`when a call names an ${target} URL, then it throws before anything is sent`, async () => {
      const sent = redirecting.requests.length;
      const call =
        target === 'absolute'
          ? client().get(`${elsewhere.url}/api/things`)
          : target === 'scheme-relative'
            ? client().get(`//127.0.0.1:${elsewhere.port}/api/things`)
            : client().get('/api/things', { baseURL: elsewhere.url });

      await assert.rejects(call, UnsafeRequestTarget);
      assert.equal(elsewhere.requests.length, 0);
      assert.equal(redirecting.requests.length, sent);
    });
  }
});
