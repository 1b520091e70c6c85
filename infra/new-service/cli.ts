/**
 * `npm run new-service -- <name> [--port N] [--with-database] [--public /api/<resource>]`
 *
 * Creates services/<name>/ from templates/example-service, adds it to the service list
 * (infra/dev/services.ts) and runs `npm run services:sync` (generate.ts), then runs
 * `npm install` so the new workspace enters package-lock.json (`--no-install` skips that).
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT } from '../stack/pins.ts';
import { generateService, UsageError, type NewService } from './generate.ts';

const USAGE =
  'usage: npm run new-service -- <name> [--port N] [--with-database] [--public /api/<resource>] [--no-install]';

function options(): NewService & { install: boolean } {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'with-database': { type: 'boolean', default: false },
      public: { type: 'string' },
      'no-install': { type: 'boolean', default: false },
    },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new UsageError(USAGE);
  if (values.port !== undefined && !/^\d+$/.test(values.port)) {
    throw new UsageError(`--port must be a number, not "${values.port}"`);
  }
  return {
    name,
    ...(values.port !== undefined ? { port: Number(values.port) } : {}),
    withDatabase: values['with-database'],
    ...(values.public !== undefined ? { publicPath: values.public } : {}),
    install: !values['no-install'],
  };
}

try {
  const wanted = options();
  const made = await generateService(ROOT, wanted);
  console.log(
    [
      `Created ${made.name} on port ${made.port}${made.database ? ` with its database "${made.database}"` : ''}, serving ${made.path}.`,
      ...made.files.map((file) => `  ${file}`),
    ].join('\n'),
  );
  if (wanted.install) {
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (npm.status !== 0) throw new Error('npm install failed; run it again to add the workspace');
  }
  console.log(
    [
      '',
      'Next:',
      `  npm test                  its component and health tests run with the others`,
      `  npm start                 starts it with the others`,
      ...(wanted.publicPath
        ? [
            `  services/api-gateway/openapi.json   document ${made.path} and drive its statuses in test/e2e/openapi.contract.test.ts`,
          ]
        : []),
      '  npm run chart:sync        re-renders deploy/k8s/sightline.yaml with it (needs Helm: npm run k8s:install)',
      '  docs/new-service.md       what it still has to decide: its SLO, alerts, spans',
    ].join('\n'),
  );
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(2);
}
