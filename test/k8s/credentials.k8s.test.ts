/**
 * No working default credentials in the Helm chart: PostgreSQL's passwords are made on
 * install and kept across upgrades, every service connects as its own role, Grafana has no
 * admin or basic auth unless given a password, and PostgreSQL's data is on a claim. Renders
 * with the pinned Helm, and `helm install` / `helm upgrade` against a real kube-apiserver
 * (harness/k8s/apiserver.ts), where Helm's `lookup` reads the Secret back as on a cluster.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { databasePasswordVariable, databaseRole, SERVICES } from '../../infra/dev/services.ts';
import { startApiServer, type ApiServer } from '../../harness/k8s/apiserver.ts';
import { CHART, MANIFEST } from '../../infra/k8s/chart-files.ts';
import { helm, template } from '../../infra/k8s/render.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { find, objects, podSpec, workloads, type EnvVar, type K8sObject } from './objects.ts';

const WITH_DATABASE = SERVICES.filter((s) => s.database);
const SECRET_KEYS = ['postgres-password', ...WITH_DATABASE.map((s) => `${s.name}-password`)];

function decoded(secret: K8sObject): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}

function envOf(rendered: K8sObject[], deployment: string): Map<string, EnvVar> {
  const container = podSpec(find(rendered, 'Deployment', deployment)!).containers[0]!;
  return new Map((container.env ?? []).map((e) => [e.name, e]));
}

describe('PostgreSQL credentials in the rendered chart', () => {
  let first: K8sObject[];
  let second: K8sObject[];
  before(async () => {
    first = objects(await template());
    second = objects(await template());
  });

  test('when the chart renders twice with default values, then postgres-auth holds a random password per key, different each time: none is written in the chart', () => {
    const a = decoded(find(first, 'Secret', 'postgres-auth')!);
    const b = decoded(find(second, 'Secret', 'postgres-auth')!);
    assert.deepEqual(Object.keys(a).sort(), [...SECRET_KEYS].sort());
    const values = readFileSync(join(CHART, 'values.yaml'), 'utf8');
    for (const key of SECRET_KEYS) {
      assert.match(a[key]!, /^[A-Za-z0-9]{32}$/, key);
      assert.notEqual(a[key], b[key], `${key} is the same in two renders`);
      assert.ok(!values.includes(a[key]!), key);
    }
    assert.equal(new Set(Object.values(a)).size, SECRET_KEYS.length, 'two keys share a password');
  });

  test('when a container needs a password, then it comes from a Secret, never a value written in the manifest', () => {
    let passwords = 0;
    for (const workload of workloads(first)) {
      for (const container of podSpec(workload).containers) {
        for (const env of container.env ?? []) {
          if (!/PASSWORD/.test(env.name)) continue;
          passwords++;
          assert.equal(env.value, undefined, `${workload.metadata.name}: ${env.name} is literal`);
          assert.ok(env.valueFrom?.secretKeyRef, `${workload.metadata.name}: ${env.name}`);
        }
      }
    }
    assert.ok(passwords >= 1 + 2 * WITH_DATABASE.length, `only ${passwords} password variables`);
  });

  test("when a service has a database, then its DATABASE_URL's user is its own role, with its own key's password, which the postgres pod hands init.sql for that role", () => {
    const initSql = readFileSync(join(ROOT, 'infra', 'postgres', 'init.sql'), 'utf8');
    const postgres = envOf(first, 'postgres');
    assert.equal(
      postgres.get('POSTGRES_PASSWORD')?.valueFrom?.secretKeyRef?.key,
      'postgres-password',
    );
    for (const service of WITH_DATABASE) {
      const role = databaseRole(service.name);
      const env = envOf(first, service.name);
      assert.equal(
        env.get('DATABASE_URL')?.value,
        `postgres://${role}:$(DATABASE_PASSWORD)@postgres:5432/${service.database}`,
      );
      assert.deepEqual(env.get('DATABASE_PASSWORD')?.valueFrom?.secretKeyRef, {
        name: 'postgres-auth',
        key: `${service.name}-password`,
      });
      const variable = databasePasswordVariable(service.name);
      assert.deepEqual(postgres.get(variable)?.valueFrom?.secretKeyRef, {
        name: 'postgres-auth',
        key: `${service.name}-password`,
      });
      assert.match(initSql, new RegExp(`^\\\\getenv ${role}_password ${variable}$`, 'm'));
      assert.match(
        initSql,
        new RegExp(`^CREATE DATABASE ${service.database} OWNER ${role};$`, 'm'),
      );
    }
    for (const service of SERVICES.filter((s) => !s.database)) {
      assert.equal(envOf(first, service.name).get('DATABASE_URL'), undefined, service.name);
    }
  });

  test('when postgres.auth.existingSecret names a Secret, then the chart makes none and every pod reads that one', async () => {
    const rendered = objects(await template([], 'default', ['postgres.auth.existingSecret=ours']));
    assert.equal(find(rendered, 'Secret', 'postgres-auth'), undefined);
    const refs = workloads(rendered).flatMap((w) =>
      podSpec(w).containers.flatMap((c) =>
        (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])),
      ),
    );
    assert.ok(refs.length >= 1 + 2 * WITH_DATABASE.length);
    assert.ok(
      refs.every((ref) => ref.name === 'ours'),
      JSON.stringify(refs),
    );
  });

  test('when the plain manifest is read, then it holds no Secret and no password: the pods read postgres-auth, which its user creates', () => {
    const text = readFileSync(MANIFEST, 'utf8');
    const manifest = objects(text);
    assert.equal(manifest.filter((o) => o.kind === 'Secret').length, 0);
    assert.match(text, /kubectl -n sightline create secret generic postgres-auth/);
    const refs = workloads(manifest).flatMap((w) =>
      podSpec(w).containers.flatMap((c) =>
        (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])),
      ),
    );
    assert.deepEqual(
      [...new Set(refs.map((r) => r.key))].sort(),
      [...SECRET_KEYS].sort(),
      'the manifest reads other keys than the header tells its user to create',
    );
    assert.ok(refs.every((ref) => ref.name === 'postgres-auth'));
    // The header's command creates every key, and no other.
    const created = /for key in ([a-z -]+); do/.exec(text)?.[1]?.split(' ');
    assert.deepEqual(created?.map((key) => `${key}-password`).sort(), [...SECRET_KEYS].sort());
  });
});

describe("PostgreSQL's data in the rendered chart", () => {
  test('when the chart renders with default values, then the data is on the claim postgres-data', async () => {
    const rendered = objects(await template());
    const claim = find(rendered, 'PersistentVolumeClaim', 'postgres-data');
    assert.ok(claim, 'no PersistentVolumeClaim postgres-data');
    const data = podSpec(find(rendered, 'Deployment', 'postgres')!).volumes!.find(
      (v) => v.name === 'data',
    );
    assert.deepEqual(data?.persistentVolumeClaim, { claimName: 'postgres-data' });
  });

  test('when postgres.persistence.enabled is false, then there is no claim and the data is an emptyDir', async () => {
    const rendered = objects(await template([], 'default', ['postgres.persistence.enabled=false']));
    assert.equal(find(rendered, 'PersistentVolumeClaim', 'postgres-data'), undefined);
    const data = podSpec(find(rendered, 'Deployment', 'postgres')!).volumes!.find(
      (v) => v.name === 'data',
    );
    assert.deepEqual(data?.emptyDir, {});
  });
});

describe('Grafana in the rendered chart', () => {
  const grafanaIni = readFileSync(join(ROOT, 'grafana', 'grafana.ini'), 'utf8');

  test('when no admin password is given, then anonymous visitors are Viewers, basic auth is off, and grafana.ini keeps out the admin account and the login form', async () => {
    const rendered = objects(await template());
    const env = envOf(rendered, 'grafana');
    assert.equal(env.get('GF_AUTH_ANONYMOUS_ENABLED')?.value, 'true');
    assert.equal(env.get('GF_AUTH_ANONYMOUS_ORG_ROLE')?.value, 'Viewer');
    assert.equal(env.get('GF_AUTH_BASIC_ENABLED')?.value, 'false');
    for (const name of [
      'GF_SECURITY_ADMIN_PASSWORD',
      'GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION',
      'GF_AUTH_DISABLE_LOGIN_FORM',
    ])
      assert.equal(env.get(name), undefined, name);
    assert.match(grafanaIni, /^\[security\]\ndisable_initial_admin_creation = true$/m);
    assert.match(grafanaIni, /^\[auth\]\ndisable_login_form = true$/m);
    const config = find(rendered, 'ConfigMap', 'grafana-config')!;
    assert.equal(config.data?.['grafana.ini'], grafanaIni);
    const mount = podSpec(find(rendered, 'Deployment', 'grafana')!).containers[0]!.volumeMounts!;
    assert.deepEqual(
      mount.find((m) => m.mountPath === '/etc/grafana/grafana.ini'),
      {
        name: 'config',
        mountPath: '/etc/grafana/grafana.ini',
        subPath: 'grafana.ini',
        readOnly: true,
      },
    );
  });

  test('when grafana.admin.existingSecret names a Secret, then the admin password comes from it and the login form opens, still without basic auth', async () => {
    const rendered = objects(
      await template([], 'default', ['grafana.admin.existingSecret=grafana-admin']),
    );
    const env = envOf(rendered, 'grafana');
    assert.deepEqual(env.get('GF_SECURITY_ADMIN_PASSWORD')?.valueFrom?.secretKeyRef, {
      name: 'grafana-admin',
      key: 'admin-password',
    });
    assert.equal(env.get('GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION')?.value, 'false');
    assert.equal(env.get('GF_AUTH_DISABLE_LOGIN_FORM')?.value, 'false');
    assert.equal(env.get('GF_AUTH_BASIC_ENABLED')?.value, 'false');
  });
});

describe('helm install and upgrade against a real kube-apiserver', () => {
  let server: ApiServer;
  const NAMESPACE = 'sightline-install';
  before(async () => {
    server = await startApiServer();
  });
  after(() => server?.stop());

  const helmHere = (args: string[]) =>
    helm([...args, '--kubeconfig', server.kubeconfig, '--namespace', NAMESPACE]);

  async function secret(): Promise<Record<string, string>> {
    const { code, stdout, stderr } = await server.kubectl([
      ...['get', 'secret', 'postgres-auth', '-n', NAMESPACE, '-o', 'json'],
    ]);
    assert.equal(code, 0, stderr);
    return decoded(JSON.parse(stdout) as K8sObject);
  }

  test('when the chart is installed and then upgraded, then the Secret made on install keeps every password, and a fresh install elsewhere gets others', async () => {
    await helmHere(['install', 'sightline', CHART, '--create-namespace']);
    const installed = await secret();
    assert.deepEqual(Object.keys(installed).sort(), [...SECRET_KEYS].sort());
    for (const key of SECRET_KEYS) assert.match(installed[key]!, /^[A-Za-z0-9]{32}$/, key);

    await helmHere(['upgrade', 'sightline', CHART, '--set', 'services.replicas=2']);
    assert.deepEqual(await secret(), installed);
    // And once more, with nothing changed.
    await helmHere(['upgrade', 'sightline', CHART]);
    assert.deepEqual(await secret(), installed);

    const { stdout } = await server.kubectl([
      ...['get', 'deployment', 'user-service', '-n', NAMESPACE, '-o', 'json'],
    ]);
    const deployment = JSON.parse(stdout) as K8sObject;
    assert.equal(
      (deployment.spec as { replicas: number }).replicas,
      2,
      'the upgrade did not apply',
    );

    const other = 'sightline-other';
    await helm([
      ...['install', 'sightline', CHART, '--create-namespace'],
      ...['--kubeconfig', server.kubeconfig, '--namespace', other],
    ]);
    const { stdout: otherSecret } = await server.kubectl([
      ...['get', 'secret', 'postgres-auth', '-n', other, '-o', 'json'],
    ]);
    const others = decoded(JSON.parse(otherSecret) as K8sObject);
    for (const key of SECRET_KEYS) assert.notEqual(others[key], installed[key], key);
  });
});
