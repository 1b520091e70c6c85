import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentryEvent {
  exception?: { values?: { type?: string; value?: string }[] };
  contexts?: { trace?: { trace_id?: string } };
  tags?: Record<string, string>;
}

/**
 * A test stand-in for Spotlight's sidecar: it accepts the Sentry envelopes the SDK posts to
 * `SENTRY_SPOTLIGHT` and keeps their events. (The stack runs the real Spotlight.)
 */
export async function startSentryReceiver(): Promise<{
  url: string;
  events: SentryEvent[];
  close(): Promise<void>;
}> {
  const events: SentryEvent[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // An envelope: a header line, then (item header, item payload) pairs, one JSON per line.
      const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
      for (let i = 1; i + 1 < lines.length; i += 2) {
        const itemHeader = JSON.parse(lines[i] as string) as { type?: string };
        if (itemHeader.type === 'event')
          events.push(JSON.parse(lines[i + 1] as string) as SentryEvent);
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stream`,
    events,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
