/**
 * The Helm chart (deploy/helm/sightline) and the plain manifest (deploy/k8s/sightline.yaml),
 * checked offline with the tools `npm run k8s:install` builds: Helm's strict lint, renders
 * with three value sets, kubeconform against two Kubernetes versions' JSON schemas, and
 * `kubectl apply --dry-run=server` against a real kube-apiserver (harness/k8s/apiserver.ts),
 * which decodes strictly, defaults, validates and runs admission, PodSecurity included.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { SERVICES } from '../../infra/dev/services.ts';
import { startApiServer, type ApiServer } from '../../harness/k8s/apiserver.ts';
import { CHART, MANIFEST } from '../../infra/k8s/chart-files.ts';
import { helm, renderManifest, template } from '../../infra/k8s/render.ts';
import { k8sTools } from '../../infra/k8s/tools.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { find, objects, podSpec, type K8sObject } from './objects.ts';

const exec = promisify(execFile);
const tools = k8sTools();

/** Default values, then each value set in the chart's ci/ folder. */
const VALUE_SETS: { name: string; files: string[] }[] = [
  { name: 'default values', files: [] },
  ...readdirSync(join(CHART, 'ci'))
    .sort()
    .map((file) => ({ name: `ci/${file}`, files: [join(CHART, 'ci', file)] })),
];

const renders = new Map<string, K8sObject[]>();
const rendered = new Map<string, string>();
before(async () => {
  for (const set of VALUE_SETS) {
    const text = await template(set.files, 'sightline');
    rendered.set(set.name, text);
    renders.set(set.name, objects(text));
  }
});

// Its files/ and values.yaml against the repository: test/config/chart-sync.test.ts (npm test).
describe('the chart holds the repository as it is', () => {
  test('when the chart renders with default values, then deploy/k8s/sightline.yaml is that render', async () => {
    assert.equal(readFileSync(MANIFEST, 'utf8'), await renderManifest());
  });

  test('when a service is in the service list, then it has a Deployment and a Service of its name and port', () => {
    const defaults = renders.get('default values')!;
    for (const service of SERVICES) {
      assert.ok(find(defaults, 'Deployment', service.name), `no Deployment ${service.name}`);
      const svc = find(defaults, 'Service', service.name);
      const ports = (svc?.spec?.ports as { port: number }[] | undefined)?.map((p) => p.port);
      assert.deepEqual(ports, [service.port], `Service ${service.name}`);
    }
  });
});

describe('the chart starts the backends as compose does', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, unknown> }>;
  };

  test('when compose passes a backend arguments, then the chart passes it the same', () => {
    const defaults = renders.get('default values')!;
    for (const name of ['otel-collector', 'jaeger', 'prometheus', 'alertmanager', 'loki']) {
      const container = podSpec(find(defaults, 'Deployment', name)!).containers.find(
        (c) => c.name === name,
      );
      assert.deepEqual(container?.args, compose.services[name]?.command, name);
    }
  });

  test('when compose sets Grafana up with fixed environment variables, then the chart sets the same', () => {
    const grafana = podSpec(find(renders.get('default values')!, 'Deployment', 'grafana')!);
    const env = Object.fromEntries(grafana.containers[0]!.env!.map((e) => [e.name, e.value]));
    // Those that take a user's variable (the admin password) are the chart's values instead.
    const fixed = Object.entries(compose.services.grafana?.environment ?? {}).filter(
      ([, value]) => !String(value).includes('${'),
    );
    assert.ok(fixed.length >= 5);
    assert.deepEqual(env, Object.fromEntries(fixed));
  });
});

describe('Helm', () => {
  for (const set of VALUE_SETS) {
    test(`when the chart is linted strictly with ${set.name}, then Helm finds nothing`, async () => {
      const output = await helm([
        'lint',
        '--strict',
        CHART,
        ...set.files.flatMap((f) => ['--values', f]),
      ]);
      assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }

  test('when it renders with default values, then the collector is one Deployment and every backend is there', () => {
    const defaults = renders.get('default values')!;
    assert.ok(find(defaults, 'Deployment', 'otel-collector'));
    assert.equal(find(defaults, 'DaemonSet', 'otel-collector'), undefined);
    for (const name of ['postgres', 'jaeger', 'prometheus', 'alertmanager', 'loki', 'grafana']) {
      assert.ok(find(defaults, 'Deployment', name), `no Deployment ${name}`);
      assert.ok(find(defaults, 'Service', name), `no Service ${name}`);
    }
  });

  test('when the collector is an agent, then it is a DaemonSet and its Service keeps traffic on the node', () => {
    const agent = renders.get('ci/agent-values.yaml')!;
    assert.ok(find(agent, 'DaemonSet', 'otel-collector'));
    assert.equal(find(agent, 'Deployment', 'otel-collector'), undefined);
    assert.equal(find(agent, 'Service', 'otel-collector')?.spec?.internalTrafficPolicy, 'Local');
    assert.ok(find(agent, 'PersistentVolumeClaim', 'postgres-data'));
  });

  test('when the backends are a team’s own, then none is rendered and the services send to theirs', () => {
    const external = renders.get('ci/external-values.yaml')!;
    for (const name of [
      'otel-collector',
      'jaeger',
      'prometheus',
      'alertmanager',
      'loki',
      'grafana',
    ])
      assert.equal(find(external, 'Service', name), undefined, `${name} rendered`);
    assert.equal(find(external, 'Secret', 'postgres-auth'), undefined);
    const env = podSpec(find(external, 'Deployment', 'api-gateway')!).containers[0]!.env!;
    assert.equal(
      env.find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value,
      'http://otel-collector.observability.svc.cluster.local:4318',
    );
  });

  test("when a container runs one of our servers, then it listens on the pod's address (HOST=0.0.0.0), not on 127.0.0.1 alone", () => {
    const ourServer = /^(services\/[^/]+\/src\/main\.ts|infra\/alert-webhook\/server\.ts)$/;
    let servers = 0;
    for (const [set, rendered] of renders) {
      for (const object of rendered.filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind))) {
        for (const container of podSpec(object).containers) {
          const server = container.command?.find((arg) => ourServer.test(arg));
          if (!server) continue;
          servers++;
          const host = container.env?.find((e) => e.name === 'HOST')?.value;
          assert.equal(host, '0.0.0.0', `${set}: ${object.metadata.name}/${container.name}`);
        }
      }
    }
    assert.ok(servers >= SERVICES.length, `only ${servers} of our servers found`);
  });

  test('when it renders, then every container has a memory request equal to its limit, and runs locked down', () => {
    for (const [set, rendered] of renders) {
      for (const object of rendered.filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind))) {
        for (const container of podSpec(object).containers) {
          const where = `${set}: ${object.metadata.name}/${container.name}`;
          const memory = container.resources?.limits?.memory;
          assert.match(memory ?? '', /^\d+Mi$/, `${where} has no memory limit`);
          assert.equal(container.resources?.requests?.memory, memory, where);
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true, where);
          assert.equal(container.securityContext?.allowPrivilegeEscalation, false, where);
        }
      }
    }
  });
});

interface KubeconformReport {
  summary: { valid: number; invalid: number; errors: number; skipped: number };
  resources: { name: string; kind: string; status: string; msg: string }[];
}

/** kubeconform -strict on a manifest, against one Kubernetes version's schemas. */
async function kubeconform(manifest: string, version: string): Promise<KubeconformReport> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-kubeconform-'));
  try {
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, manifest);
    const { stdout } = await exec(
      tools.kubeconform,
      [
        ...['-strict', '-summary', '-output', 'json', '-schema-location'],
        `${tools.schemas(version)}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
        file,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: Error & { stdout?: string }) => ({ stdout: error.stdout ?? error.message }));
    return JSON.parse(stdout) as KubeconformReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('kubeconform', () => {
  for (const set of VALUE_SETS) {
    for (const version of tools.schemaVersions) {
      test(`when ${set.name} is checked strictly against Kubernetes ${version}'s schemas, then every object is valid`, async () => {
        const { summary, resources } = await kubeconform(rendered.get(set.name)!, version);
        assert.deepEqual(resources, [], 'kubeconform reported problems');
        assert.equal(summary.valid, renders.get(set.name)!.length);
        assert.equal(summary.skipped, 0);
      });
    }
  }

  test('when a pod spec has a field Kubernetes does not know, then kubeconform refuses it (the check can fail)', async () => {
    const wrong = rendered
      .get('default values')!
      .replace('automountServiceAccountToken: false', 'automountServiceAcountToken: false');
    const { summary, resources } = await kubeconform(wrong, tools.schemaVersions[0]!);
    assert.ok(summary.invalid > 0);
    assert.ok(resources.every((r) => r.status === 'statusInvalid'));
  });
});

describe('a real kube-apiserver, kubectl apply --dry-run=server', () => {
  let server: ApiServer;
  const NAMESPACE = 'sightline';
  before(async () => {
    server = await startApiServer();
    // A namespace that warns about every pod the "restricted" Pod Security Standard refuses.
    const namespace = `apiVersion: v1
kind: Namespace
metadata:
  name: ${NAMESPACE}
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
`;
    const created = await server.kubectl(['apply', '-f', '-'], namespace);
    assert.equal(created.code, 0, created.stderr);
  });
  after(() => server?.stop());

  const dryRun = (manifest: string) =>
    server.kubectl(['apply', '--dry-run=server', '-n', NAMESPACE, '-f', '-'], manifest);

  for (const set of VALUE_SETS) {
    test(`when ${set.name} is applied, then the API server accepts every object, with no warning`, async () => {
      const result = await dryRun(rendered.get(set.name)!);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '', 'the API server warned');
      const accepted = result.stdout.trim().split('\n');
      assert.equal(accepted.length, renders.get(set.name)!.length, result.stdout);
      assert.ok(
        accepted.every((line) => line.endsWith('(server dry run)')),
        result.stdout,
      );
    });
  }

  test('when the committed manifest is applied, then the API server accepts it', async () => {
    const result = await dryRun(readFileSync(MANIFEST, 'utf8'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
  });

  test('when deploy/k8s is the base of a kustomize overlay, then every object lands in its namespace and is accepted', async () => {
    const overlay = mkdtempSync(join(tmpdir(), 'sightline-overlay-'));
    try {
      writeFileSync(
        join(overlay, 'kustomization.yaml'),
        `namespace: ${NAMESPACE}\nresources:\n  - ${relative(overlay, join(ROOT, 'deploy', 'k8s'))}\n`,
      );
      const built = await server.kubectl(['kustomize', overlay]);
      assert.equal(built.code, 0, built.stderr);
      const builtObjects = objects(built.stdout);
      assert.equal(builtObjects.length, objects(readFileSync(MANIFEST, 'utf8')).length);
      assert.ok(builtObjects.every((o) => o.metadata.namespace === NAMESPACE));
      const result = await dryRun(built.stdout);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
    } finally {
      rmSync(overlay, { recursive: true, force: true });
    }
  });

  test('when a manifest is wrong, then the dry run refuses it (the check can fail)', async () => {
    const deployment = find(renders.get('default values')!, 'Deployment', 'api-gateway')!;
    const wrong = JSON.stringify({
      ...deployment,
      spec: { ...deployment.spec, replicas: 'abc' },
    });
    const result = await dryRun(wrong);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /replicas/);
  });

  test('when a pod would run as root, then the namespace warns (the no-warning check can fail)', async () => {
    const deployment = find(renders.get('default values')!, 'Deployment', 'api-gateway')!;
    const spec = podSpec(deployment);
    const root = JSON.stringify({
      ...deployment,
      spec: {
        ...deployment.spec,
        template: {
          ...(deployment.spec!.template as object),
          spec: { ...spec, securityContext: { runAsUser: 0 } },
        },
      },
    });
    const result = await dryRun(root);
    assert.match(result.stderr, /violate PodSecurity "restricted/);
  });
});

describe('the documented port-forward commands', () => {
  const documents = [
    join(CHART, 'templates', 'NOTES.txt'),
    join(ROOT, 'docs', 'kubernetes.md'),
    join(ROOT, 'README.md'),
  ];
  test('when the docs say port-forward svc/<name>, then the default render has that Service and port', () => {
    const defaults = renders.get('default values')!;
    let commands = 0;
    for (const document of documents) {
      assert.ok(existsSync(document), `${document} is missing`);
      for (const [, name, port] of readFileSync(document, 'utf8').matchAll(
        /port-forward svc\/([a-z0-9-]+) \d+:(\d+)/g,
      )) {
        commands++;
        const svc = find(defaults, 'Service', name!);
        assert.ok(svc, `${relative(ROOT, document)} names svc/${name}, which the chart lacks`);
        const ports = (svc.spec!.ports as { port: number }[]).map((p) => p.port);
        assert.ok(ports.includes(Number(port)), `svc/${name} has no port ${port}`);
      }
    }
    assert.ok(commands >= 6, `only ${commands} port-forward commands found`);
  });

  test('when Helm installs the chart, then NOTES.txt prints a port-forward for each UI', async () => {
    const output = await helm(['install', 'sightline', CHART, '--dry-run=client', '-n', 'demo']);
    for (const name of ['api-gateway', 'grafana', 'jaeger', 'prometheus', 'alertmanager'])
      assert.match(output, new RegExp(`kubectl -n demo port-forward svc/${name} `));
  });
});
