import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { generateService, UsageError } from '../../infra/new-service/generate.ts';
import { eventually } from '../support/eventually.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { linkWorkspaces, scratchRepository } from '../support/scratch-repository.ts';
import type { System } from '../support/system.ts';

const SERVER = 2;
const CLIENT = 3;

/**
 * `npm run new-service`, run in a scratch copy of the repository: one service with a database
 * routed by the gateway, one internal service without. Their generated tests run there, then
 * the copy's services start as `npm start` starts them (the new ones among them, from the one
 * service list) and a request through the gateway is followed into the new service.
 */
describe('a new service, generated into a copy of the repository', () => {
  let scratch: string;
  let receiver: OtlpReceiver;
  let system: System | undefined;
  /** The ports the generator chose, as the copy's service list records them. */
  let ports: Record<'loyalty-service' | 'quote-service', number>;

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, args, {
      cwd: scratch,
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });

  before(async () => {
    scratch = scratchRepository();
    receiver = await startOtlpReceiver();
    const made = run([
      'infra/new-service/cli.ts',
      'loyalty-service',
      '--with-database',
      '--public',
      '/api/rewards',
      '--no-install',
    ]);
    assert.equal(made.status, 0, made.stderr);
    assert.equal(run(['infra/new-service/cli.ts', 'quote-service', '--no-install']).status, 0);
    linkWorkspaces(scratch);
    const { SERVICES } = (await import(
      pathToFileURL(join(scratch, 'infra/dev/services.ts')).href
    )) as { SERVICES: { name: string; port: number }[] };
    const portOf = (name: string) => SERVICES.find((s) => s.name === name)?.port ?? 0;
    ports = {
      'loyalty-service': portOf('loyalty-service'),
      'quote-service': portOf('quote-service'),
    };
    assert.ok(ports['loyalty-service'] > 0 && ports['quote-service'] > 0);
    assert.notEqual(ports['loyalty-service'], ports['quote-service']);
  });
  after(async () => {
    await system?.stop();
    await receiver?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('when a name, port or route is unfit, then nothing is generated and the error says why', async () => {
    const refused = async (options: Parameters<typeof generateService>[1], reason: RegExp) => {
      await assert.rejects(generateService(scratch, options), (error: Error) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, reason);
        return true;
      });
    };
    await refused({ name: '../user-service', withDatabase: false }, /not a service name/);
    await refused({ name: 'Loyalty', withDatabase: false }, /kebab-case/);
    await refused({ name: 'loyalty-service', withDatabase: false }, /already exists/);
    await refused({ name: 'postgres', withDatabase: false }, /docker-compose.yml/);
    await refused({ name: 'spare-service', port: 8003, withDatabase: false }, /port 8003/);
    const taken = ports['loyalty-service'];
    await refused(
      { name: 'spare-service', port: taken, withDatabase: false },
      new RegExp(`port ${taken}`),
    );
    await refused({ name: 'spare-service', port: 80, withDatabase: false }, /1024 to 65535/);
    await refused(
      { name: 'spare-service', withDatabase: false, publicPath: '/api/orders' },
      /already routes/,
    );
    await refused(
      { name: 'spare-service', withDatabase: false, publicPath: '/api/../admin' },
      /one kebab-case segment/,
    );
    const unusage = run(['infra/new-service/cli.ts', 'spare-service', '--port', 'x']);
    assert.equal(unusage.status, 2);
    assert.match(unusage.stderr, /--port must be a number/);
  });

  test('when generated, then it is registered with compose, its database, the image, the chart and the gateway', () => {
    const file = (path: string) => readFileSync(join(scratch, path), 'utf8');
    const compose = parseYaml(file('docker-compose.yml')) as {
      'x-service-env': Record<string, string>;
      services: Record<string, { environment: Record<string, unknown>; depends_on: object }>;
    };
    const loyalty = ports['loyalty-service'];
    assert.equal(compose.services['loyalty-service']?.environment.PORT, loyalty);
    assert.equal(
      compose.services['loyalty-service']?.environment.DATABASE_URL,
      'postgres://loyalty_service:${LOYALTY_SERVICE_DB_PASSWORD}@postgres:5432/loyalty',
    );
    assert.equal(
      compose.services.postgres?.environment.LOYALTY_SERVICE_DB_PASSWORD,
      '${LOYALTY_SERVICE_DB_PASSWORD}',
    );
    assert.equal(compose.services['quote-service']?.environment.DATABASE_URL, undefined);
    assert.equal(compose['x-service-env'].LOYALTY_SERVICE_URL, `http://loyalty-service:${loyalty}`);
    assert.ok('loyalty-service' in (compose.services['api-gateway']?.depends_on ?? {}));
    assert.ok(!('quote-service' in (compose.services['api-gateway']?.depends_on ?? {})));
    assert.match(file('.env'), new RegExp(`^LOYALTY_SERVICE_PORT=${loyalty}$`, 'm'));
    assert.match(file('.env'), new RegExp(`^QUOTE_SERVICE_PORT=${ports['quote-service']}$`, 'm'));
    assert.match(file('.env'), /^LOYALTY_SERVICE_DB_PASSWORD=\S+$/m);
    assert.doesNotMatch(file('.env'), /^QUOTE_SERVICE_DB_PASSWORD=/m);
    assert.match(
      file('infra/postgres/init.sql'),
      /^\\getenv loyalty_service_password LOYALTY_SERVICE_DB_PASSWORD\nCREATE ROLE loyalty_service LOGIN PASSWORD :'loyalty_service_password';\nCREATE DATABASE loyalty OWNER loyalty_service;\nREVOKE ALL ON DATABASE loyalty FROM PUBLIC;$/m,
    );
    assert.doesNotMatch(file('infra/postgres/init.sql'), /quote/);
    assert.match(file('infra/Dockerfile'), /^COPY services\/quote-service\/src /m);
    // The gateway calls the public one, so compose starts it first and the chart lets it through.
    const values = parseYaml(file('deploy/helm/sightline/values.yaml')) as {
      networkPolicy: { serviceCalls: Record<string, string[]> };
    };
    assert.ok(values.networkPolicy.serviceCalls['api-gateway']?.includes('loyalty-service'));
    assert.doesNotMatch(file('services/quote-service/package.json'), /"pg"/);
  });

  test('when generated, then its own tests pass, it type-checks, and it is formatted', () => {
    const tests = run(
      [
        '--test',
        '--test-global-setup=test/support/global-setup.ts',
        'services/loyalty-service/test/*.test.ts',
        'services/quote-service/test/*.test.ts',
      ],
      { TEST_DATABASE_URL: process.env.TEST_POSTGRES_URL },
    );
    assert.equal(tests.status, 0, tests.stdout + tests.stderr);
    assert.match(tests.stdout, /ℹ pass [1-9]\d*\n/);
    assert.match(tests.stdout, /ℹ fail 0\n/);

    writeFileSync(
      join(scratch, 'tsconfig.generated.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        include: ['services/loyalty-service', 'services/quote-service', 'services/api-gateway'],
      }),
    );
    const typecheck = run(['node_modules/typescript/bin/tsc', '-p', 'tsconfig.generated.json']);
    assert.equal(typecheck.status, 0, typecheck.stdout);
    const format = run([
      'node_modules/prettier/bin/prettier.cjs',
      '--check',
      'services',
      'infra',
      'docker-compose.yml',
    ]);
    assert.equal(format.status, 0, format.stdout + format.stderr);
  });

  test('when it runs with the others, then a request through the gateway is one trace into it, under its own name', async () => {
    const copy = (path: string) => pathToFileURL(join(scratch, path)).href;
    const { System: ScratchSystem, newTraceparent } = (await import(
      copy('test/support/system.ts')
    )) as typeof import('../support/system.ts');
    system = await ScratchSystem.start({ otlpUrl: receiver.url });
    const gateway = system.url('api-gateway');
    const { traceparent, traceId } = newTraceparent();

    const created = await fetch(`${gateway}/api/rewards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify({ name: 'Free coffee' }),
    });
    assert.equal(created.status, 201);
    const reward = (await created.json()) as { id: string; name: string };
    const read = await fetch(`${gateway}/api/rewards/${reward.id}`);
    assert.deepEqual(await read.json(), reward);

    // Each process exports on its own schedule: wait for both ends of the hop and the pg span.
    const spans = await eventually('the gateway and new service spans in the trace', () => {
      const found = receiver.spans.filter((s) => s.traceId === traceId);
      const has = (service: string, kind: number) =>
        found.some((s) => s.service === service && s.kind === kind);
      const pg = found.some(
        (s) => s.service === 'loyalty-service' && s.attributes['db.system.name'] === 'postgresql',
      );
      return has('api-gateway', CLIENT) && has('loyalty-service', SERVER) && pg && found;
    });
    const gatewayClient = spans.find((s) => s.service === 'api-gateway' && s.kind === CLIENT);
    const server = spans.find((s) => s.service === 'loyalty-service' && s.kind === SERVER);
    assert.equal(server?.parentSpanId, gatewayClient?.spanId);
    assert.equal(server?.attributes['http.route'], '/api/rewards');
    assert.ok(
      spans.some(
        (s) => s.service === 'loyalty-service' && s.attributes['db.system.name'] === 'postgresql',
      ),
      'no pg span from loyalty-service',
    );
    assert.ok(receiver.spans.every((s) => s.service !== 'example-service'));

    // The Service dashboard lists whatever `$service` finds in this series on the `services`
    // scrape job; the new service exports it under its own name and is one of the job's targets.
    const dashboard = JSON.parse(
      readFileSync(join(scratch, 'grafana/dashboards/sightline-service.json'), 'utf8'),
    ) as { templating: { list: { name: string; query: unknown }[] } };
    const variable = dashboard.templating.list.find((v) => v.name === 'service');
    assert.match(
      JSON.stringify(variable?.query),
      /label_values\(http_server_request_duration_seconds_count\{job=\\"services\\"\}, service_name\)/,
    );
    const metrics = await (await fetch(`${system.url('loyalty-service' as never)}/metrics`)).text();
    assert.match(
      metrics,
      /^http_server_request_duration_seconds_count\{[^}]*service_name="loyalty-service"/m,
    );
    const { targetGroups } = (await import(
      copy('infra/stack/prometheus-targets.ts')
    )) as typeof import('../../infra/stack/prometheus-targets.ts');
    for (const mode of ['native', 'compose'] as const) {
      assert.ok(
        targetGroups(mode).services?.some(
          (group) => group.labels?.service_name === 'loyalty-service',
        ),
        `no ${mode} scrape target for loyalty-service`,
      );
    }
  });
});
