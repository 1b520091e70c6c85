import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../support/eventually.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort } from '../support/ports.ts';
import { scratchRepository } from '../support/scratch-repository.ts';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const SERVICE = 'kiosk-service';
const SERVER = 2;

/** Every symbolic link under `dir` whose target lies outside `inside`. */
function linksOutOf(dir: string, inside: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (lstatSync(path).isSymbolicLink()) {
      const target = realpathSync(path);
      if (relative(inside, target).startsWith('..')) out.push(`${path} → ${target}`);
    } else if (entry.isDirectory()) {
      out.push(...linksOutOf(path, inside));
    }
  }
  return out;
}

/**
 * The kit as a team takes it: packages/* (into vendor/sightline/, a folder deeper than in the
 * repository) and a service `npm run new-service` made, copied into an empty folder outside the
 * repository with a package.json of its own, installed there from the registry, and run under
 * Node's permission model, which lets the process read the copy and nothing else. The kit may
 * read no file of the repository, nor look for one by its own place in it (faults/flags.json,
 * three folders up from a package's src/, is not there in the copy): either read fails the
 * start, and the test with it.
 */
describe('the kit, copied out of the repository with a generated service', () => {
  let copy: string;
  let receiver: OtlpReceiver;
  let child: ChildProcess | undefined;
  let url: string;
  let output = '';

  const node = (args: string[], cwd: string) =>
    spawnSync(process.execPath, args, { cwd, env: { PATH: process.env.PATH }, encoding: 'utf8' });

  before(async () => {
    const scratch = scratchRepository();
    try {
      const made = node(['infra/new-service/cli.ts', SERVICE, '--no-install'], scratch);
      assert.equal(made.status, 0, made.stderr);
      // realpath: the permission model compares real paths, and tmpdir() may be a link.
      copy = realpathSync(mkdtempSync(join(tmpdir(), 'sightline-kit-')));
      for (const name of readdirSync(join(scratch, 'packages'))) {
        cpSync(join(scratch, 'packages', name), join(copy, 'vendor', 'sightline', name), {
          recursive: true,
        });
      }
      cpSync(join(scratch, 'services', SERVICE), join(copy, 'services', SERVICE), {
        recursive: true,
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    // The team's own flag file, where the service's declaration says it is: no faults yet.
    mkdirSync(join(copy, 'faults'));
    writeFileSync(join(copy, 'faults', 'flags.json'), JSON.stringify({ flags: {} }));
    writeFileSync(
      join(copy, 'package.json'),
      JSON.stringify({
        name: 'kit-copy',
        private: true,
        workspaces: ['vendor/sightline/*', 'services/*'],
      }),
    );
    const npm = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: copy,
      encoding: 'utf8',
    });
    assert.equal(npm.status, 0, npm.stdout + npm.stderr);

    receiver = await startOtlpReceiver();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(
      process.execPath,
      [
        '--permission',
        `--allow-fs-read=${copy}`,
        '--import',
        '@sightline/telemetry/register',
        `services/${SERVICE}/src/main.ts`,
      ],
      {
        cwd: copy,
        env: {
          PATH: process.env.PATH,
          PORT: String(port),
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_BLRP_SCHEDULE_DELAY: '100',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`the service exited (${code}):\n${output}`))),
    );
    await Promise.race([
      exited,
      eventually('the copied service to be ready', async () => {
        const ready = await fetch(`${url}/health/ready`).catch(() => undefined);
        return ready?.ok ? true : undefined;
      }),
    ]);
  });

  after(async () => {
    child?.kill('SIGTERM');
    await receiver?.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  test('when the copy is made, then nothing in it points back into the repository', () => {
    assert.deepEqual(linksOutOf(copy, copy), []);
    // The guard itself: under the same flags, a read of the repository's flag file is refused.
    const read = node(
      [
        '--permission',
        `--allow-fs-read=${copy}`,
        '-e',
        `require('node:fs').readFileSync(${JSON.stringify(join(REPOSITORY, 'faults/flags.json'))})`,
      ],
      copy,
    );
    assert.notEqual(read.status, 0);
    assert.match(read.stderr, /ERR_ACCESS_DENIED/);
  });

  test('when it serves a request, then its trace, its log record and its metric arrive', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'.replace(
      /^..../,
      Date.now().toString(16).slice(-4),
    );
    const created = await fetch(`${url}/api/kiosk`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ name: 'Lobby kiosk' }),
    });
    assert.equal(created.status, 201, output);

    const span = await eventually('the server span', () =>
      receiver.spans.find((s) => s.traceId === traceId && s.kind === SERVER),
    );
    assert.equal(span.service, SERVICE);
    assert.equal(span.attributes['http.route'], '/api/kiosk');
    const log = await eventually('the request log record', () =>
      receiver.logs.find((l) => l.traceId === traceId),
    );
    assert.equal(log.service, SERVICE);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(
        `^http_server_request_duration_seconds_bucket\\{.*http_route="/api/kiosk".*\\} \\d+ # \\{trace_id="${traceId}"\\}`,
        'm',
      ),
    );
  });
});
