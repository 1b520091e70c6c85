import { createServer } from 'node:net';

/**
 * A TCP port nothing on 127.0.0.1 listens on right now, for a process about to be started
 * there: the chaos run's copy of the services, the benchmarks, the tests.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
