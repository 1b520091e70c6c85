/**
 * `npm run bench:startup`: how long each service takes from process start to ready, and its
 * resident memory once idle. Each service is started alone, several times, on an embedded
 * PostgreSQL; the figures printed are medians.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedPostgres } from '../dev/embedded-postgres.ts';
import { SERVICES, spawnService } from '../dev/services.ts';
import { residentMiB } from '../stack/resident-memory.ts';
import { median } from './median.ts';
import { freePort } from '../dev/free-port.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const IDLE_MS = 5_000;

const postgres = await startEmbeddedPostgres({
  dataDir: await mkdtemp(join(tmpdir(), 'sightline-bench-pg-')),
  port: await freePort(),
  persistent: false,
  fast: true,
});

console.log(`service          ready (ms, median of ${RUNS})   RSS idle (MiB)`);
try {
  for (const service of SERVICES) {
    const readyMs: number[] = [];
    const rss: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const port = await freePort();
      let databaseUrl: string | undefined;
      if (service.database) {
        const name = `${service.database}_bench_${run}`;
        await postgres.ensureDatabase(name);
        databaseUrl = postgres.url(name);
      }
      const started = performance.now();
      const child = spawnService(
        service.name,
        {
          PATH: process.env.PATH,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        },
        'pipe',
      );
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await sleep(10);
      }
      readyMs.push(performance.now() - started);
      await sleep(IDLE_MS);
      rss.push(residentMiB(child.pid as number) ?? NaN);
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    }
    console.log(
      `${service.name.padEnd(16)} ${median(readyMs).toFixed(0).padStart(8)}                     ${median(rss).toFixed(1).padStart(6)}`,
    );
  }
} finally {
  await postgres.stop();
}
