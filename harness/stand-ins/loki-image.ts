/**
 * The program of the LOKI STAND-IN image, which `npm run test:compose` builds and tags as
 * the grafana/loki image docker-compose.yml names (Loki is AGPL-licensed: never fetched,
 * built or run on our machines). It takes Loki's command line as compose passes it:
 *
 *   loki -config.file=/etc/loki/config.yaml -config.expand-env=true
 *        reads the mounted config (it must parse) and listens on its server.http_listen_port
 *        with the OTLP receiver of loki-otlp-receiver.ts
 *   loki -health
 *        compose's healthcheck: exits 0 when /ready answers 200, as Loki's own -health does
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startLokiStandIn } from './loki-otlp-receiver.ts';

const DEFAULT_PORT = 3100;

function flag(name: string): string | undefined {
  const prefix = `-${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

if (process.argv.includes('-health')) {
  try {
    const response = await fetch(`http://127.0.0.1:${DEFAULT_PORT}/ready`, {
      signal: AbortSignal.timeout(2_000),
    });
    process.exitCode = response.ok ? 0 : 1;
  } catch {
    process.exitCode = 1;
  }
} else {
  const configFile = flag('config.file');
  if (!configFile) throw new Error('-config.file is required, as for Loki');
  const config = parse(readFileSync(configFile, 'utf8')) as {
    server?: { http_listen_port?: number };
  };
  const port = config.server?.http_listen_port ?? DEFAULT_PORT;
  // Inside its container; compose publishes the port on the host's loopback only.
  const standIn = await startLokiStandIn({ host: '0.0.0.0', port });
  console.log(`Loki STAND-IN (not Loki): OTLP logs at :${port}/otlp/v1/logs, config ${configFile}`);
  // PID 1 of its container: without a handler SIGTERM would be ignored until Docker kills.
  process.once('SIGTERM', () => {
    standIn.server.close();
    process.exit(0);
  });
}
