import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startRecordingServer } from '../../../test/support/recording-server.ts';
import { registry } from '@sightline/telemetry';
import { createServiceClient, DependencyUnavailable } from '../src/service-client.ts';

/**
 * A typed client's fault point (`beforeSend`) fails a call as the real failure would: the
 * caller's client metrics count it by its reason, so DependencyFailures sees a drill exactly
 * as it sees a dependency that is down.
 */
describe('the service client, when its beforeSend says the dependency is unreachable', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>;
  before(async () => {
    server = await startRecordingServer({ status: 200 });
  });
  after(async () => {
    await server.close();
  });

  const unreachableCalls = async (dependency: string) =>
    (await registry.metrics())
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('http_client_request_duration_seconds_count{') &&
          line.includes(`peer_service="${dependency}"`) &&
          line.includes('error_type="unreachable"'),
      )
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

  test('then the call throws its error, sends nothing, and is counted with error_type="unreachable"', async () => {
    const refused = new DependencyUnavailable('far-service', 'unreachable', new Error('refused'));
    const client = createServiceClient({
      dependency: 'far-service',
      baseURL: server.url,
      timeoutMs: 2000,
      beforeSend: () => Promise.reject(refused),
    });
    const before = await unreachableCalls('far-service');

    await assert.rejects(client.post('/api/things', {}), (error) => error === refused);

    assert.equal(server.requests.length, 0);
    assert.equal(await unreachableCalls('far-service'), before + 1);
  });

  test('then, once it lets calls through, they are sent and counted by their status', async () => {
    const client = createServiceClient({
      dependency: 'near-service',
      baseURL: server.url,
      timeoutMs: 2000,
      beforeSend: () => Promise.resolve(),
    });

    const response = await client.get('/api/things');

    assert.equal(response.status, 200);
    assert.equal(server.requests.length, 1);
    assert.equal(await unreachableCalls('near-service'), 0);
  });
});
