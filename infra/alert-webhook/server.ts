/**
 * A webhook receiver for Alertmanager: the place a fired alert ends up when there is no
 * pager. It logs one JSON line per alert (so the stack's log directory, or `docker compose
 * logs alert-webhook`, shows it) and keeps the most recent notifications in memory:
 *
 *   POST /alerts          Alertmanager's webhook payload (version 4)
 *   GET  /notifications   the last 100 payloads received, newest last
 *   GET  /health          200 once listening
 *
 * Run with Node 24: `node infra/alert-webhook/server.ts` (PORT, default 5001; HOST, default
 * 127.0.0.1, so only this machine reaches it: containers set 0.0.0.0).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const PORT = Number(process.env.PORT ?? 5001);
// An empty variable counts as unset, as it does for the services (packages/service config).
const HOST = process.env.HOST || '127.0.0.1';
const KEEP = 100;

interface Notification {
  receiver?: string;
  status?: string;
  alerts?: { status?: string; labels?: Record<string, string>; startsAt?: string }[];
}

const received: Notification[] = [];

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/alerts') {
    readJson(req).then(
      (payload) => {
        const notification = payload as Notification;
        received.push(notification);
        if (received.length > KEEP) received.shift();
        for (const alert of notification.alerts ?? []) {
          console.log(
            JSON.stringify({
              time: new Date().toISOString(),
              level: 'info',
              msg: 'alert received',
              status: alert.status,
              alertname: alert.labels?.alertname,
              labels: alert.labels,
              starts_at: alert.startsAt,
            }),
          );
        }
        send(res, 200, { ok: true });
      },
      (error: unknown) => send(res, 400, { error: String(error) }),
    );
    return;
  }
  if (req.method === 'GET' && req.url === '/notifications') return send(res, 200, received);
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
  send(res, 404, { error: 'not found' });
});

server.listen(PORT, HOST, () => {
  console.log(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'info',
      msg: 'listening',
      address: HOST,
      port: PORT,
    }),
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
