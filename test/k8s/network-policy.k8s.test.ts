/**
 * The chart's NetworkPolicies, read as a network plugin reads them: a connection from one pod
 * to another's port goes through when the sender's policies let it out (or none isolates the
 * sender for egress) and the receiver's let it in. Every pair of the release's pods, and a
 * client and the cluster's DNS outside it, is tried on every port the receiver opens; the
 * connections that go through must be exactly the flows Sightline has (the README's diagram,
 * telemetry, scraping, DNS), so a missing policy, a missing default deny or a rule too wide
 * each fail.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { SERVICES } from '../../infra/dev/services.ts';
import { CHART } from '../../infra/k8s/chart-files.ts';
import { template } from '../../infra/k8s/render.ts';
import { objects, podLabels, podSpec, workloads, type K8sObject } from './objects.ts';

type Labels = Record<string, string>;

interface Selector {
  matchLabels?: Labels;
  matchExpressions?: unknown[];
}

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}

interface Rule {
  ports?: { port?: number | string; protocol?: string }[];
  from?: Peer[];
  to?: Peer[];
}

interface Policy {
  namespace: string;
  podSelector: Selector;
  policyTypes: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

interface Pod {
  name: string;
  namespace: string;
  labels: Labels;
  /** `port/protocol` it listens on. */
  ports: string[];
}

const NAMESPACE = 'sightline';

/** A namespace's labels, as the API server sets them. */
const namespaceLabels = (namespace: string): Labels => ({
  'kubernetes.io/metadata.name': namespace,
});

function matches(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  assert.equal(selector.matchExpressions, undefined, 'the evaluator reads matchLabels only');
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/** Does `peer`, written in a policy of `policyNamespace`, take in `pod`? */
function peerMatches(peer: Peer, policyNamespace: string, pod: Pod): boolean {
  assert.equal(peer.ipBlock, undefined, 'the evaluator does not read ipBlock');
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, namespaceLabels(pod.namespace))
    : pod.namespace === policyNamespace;
  return namespaceOk && matches(peer.podSelector, pod.labels);
}

function portMatches(rule: Rule, port: string): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  const [number, protocol] = port.split('/');
  return rule.ports.some(
    (p) =>
      (p.port === undefined || String(p.port) === number) && (p.protocol ?? 'TCP') === protocol,
  );
}

function allowedOneSide(
  policies: Policy[],
  self: Pod,
  other: Pod,
  port: string,
  direction: 'Ingress' | 'Egress',
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.namespace === self.namespace &&
      matches(p.podSelector, self.labels) &&
      p.policyTypes.includes(direction),
  );
  if (selecting.length === 0) return true; // not isolated
  return selecting.some((policy) =>
    (direction === 'Ingress' ? policy.ingress : policy.egress)?.some((rule) => {
      const peers = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk =
        !peers ||
        peers.length === 0 ||
        peers.some((peer) => peerMatches(peer, policy.namespace, other));
      return peerOk && portMatches(rule, port);
    }),
  );
}

/** Every connection that goes through, as `from → to:port/protocol`. */
function connections(rendered: K8sObject[], outside: Pod[]): string[] {
  const policies: Policy[] = rendered
    .filter((o) => o.kind === 'NetworkPolicy')
    .map((o) => ({ namespace: NAMESPACE, ...(o.spec as Omit<Policy, 'namespace'>) }));
  const pods: Pod[] = [
    ...workloads(rendered).map((w) => ({
      name: w.metadata.name,
      namespace: NAMESPACE,
      labels: podLabels(w),
      ports: podSpec(w).containers.flatMap((c) =>
        (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`),
      ),
    })),
    ...outside,
  ];
  const through: string[] = [];
  for (const from of pods) {
    for (const to of pods) {
      if (from === to) continue;
      for (const port of to.ports) {
        if (
          allowedOneSide(policies, from, to, port, 'Egress') &&
          allowedOneSide(policies, to, from, port, 'Ingress')
        )
          through.push(`${from.name} → ${to.name}:${port}`);
      }
    }
  }
  return through.sort();
}

const CLIENT: Pod = {
  name: 'client',
  namespace: 'elsewhere',
  labels: { app: 'client' },
  ports: [],
};
const DNS: Pod = {
  name: 'kube-dns',
  namespace: 'kube-system',
  labels: { 'k8s-app': 'kube-dns' },
  ports: ['53/UDP', '53/TCP'],
};
const port = (name: string) => SERVICES.find((s) => s.name === name)!.port;

/** The connections of `rendered` involving the release, among them the gateway's from anyone. */
function releaseConnections(rendered: K8sObject[], outside: Pod[]): string[] {
  const names = outside.map((pod) => pod.name).join('|');
  // What pods outside the release do among themselves is not the chart's.
  const among = new RegExp(`^(${names}) → (${names}):`);
  return connections(rendered, outside).filter((c) => !among.test(c));
}

/** The gateway is the public entry: every pod outside the release reaches it. */
const toGateway = (outside: Pod[]) =>
  outside.map((pod) => `${pod.name} → api-gateway:${port('api-gateway')}/TCP`);
const WITH_DATABASE = SERVICES.filter((s) => s.database).map((s) => s.name);

describe('NetworkPolicies of the rendered chart', () => {
  let defaults: K8sObject[];
  before(async () => {
    defaults = objects(await template());
  });

  test('when the chart renders with default values, then exactly the flows of the architecture, of telemetry, of scraping and of DNS go through', () => {
    const chartPods = workloads(defaults).map((w) => w.metadata.name);
    const expected = [
      // The README's diagram.
      ...toGateway([CLIENT, DNS]),
      ...['user-service', 'order-service', 'payment-service'].map(
        (s) => `api-gateway → ${s}:${port(s)}/TCP`,
      ),
      `order-service → user-service:${port('user-service')}/TCP`,
      `order-service → payment-service:${port('payment-service')}/TCP`,
      ...WITH_DATABASE.map((s) => `${s} → postgres:5432/TCP`),
      // Telemetry.
      ...SERVICES.map((s) => `${s.name} → otel-collector:4318/TCP`),
      'otel-collector → jaeger:4317/TCP',
      'otel-collector → loki:3100/TCP',
      'otel-collector → prometheus:9090/TCP',
      'jaeger → prometheus:9090/TCP',
      // Scraping (files/prometheus/targets) and alerting.
      ...SERVICES.map((s) => `prometheus → ${s.name}:${s.port}/TCP`),
      'prometheus → otel-collector:8888/TCP',
      'prometheus → jaeger:8888/TCP',
      'prometheus → loki:3100/TCP',
      'prometheus → alertmanager:9093/TCP',
      // Grafana's datasources.
      'grafana → prometheus:9090/TCP',
      'grafana → loki:3100/TCP',
      'grafana → jaeger:16686/TCP',
      'grafana → alertmanager:9093/TCP',
      // Names.
      ...chartPods.flatMap((pod) => [`${pod} → kube-dns:53/UDP`, `${pod} → kube-dns:53/TCP`]),
    ].sort();
    assert.deepEqual(releaseConnections(defaults, [CLIENT, DNS]), expected);
  });

  test('when a pod of the release loses its own policy, then the default deny still shuts it but for DNS; without the default deny it would be open', () => {
    const without = (...names: string[]) =>
      defaults.filter((o) => !(o.kind === 'NetworkPolicy' && names.includes(o.metadata.name)));
    const grafana = (through: string[]) =>
      through.filter((c) => c.startsWith('grafana → ') || / → grafana:/.test(c));
    assert.deepEqual(grafana(releaseConnections(without('grafana'), [CLIENT, DNS])), [
      'grafana → kube-dns:53/TCP',
      'grafana → kube-dns:53/UDP',
    ]);
    const open = grafana(releaseConnections(without('grafana', 'default-deny'), [CLIENT, DNS]));
    assert.ok(open.includes('client → grafana:3000/TCP'), open.join('\n'));
  });

  test('when every policy selects its pods, then each pod of the release is under the default deny and a policy of its own', () => {
    const policies = defaults.filter((o) => o.kind === 'NetworkPolicy');
    for (const workload of workloads(defaults)) {
      const labels = podLabels(workload);
      const selecting = policies
        .filter((p) => matches((p.spec as { podSelector: Selector }).podSelector, labels))
        .map((p) => p.metadata.name)
        .sort();
      assert.deepEqual(selecting, ['default-deny', 'dns', workload.metadata.name].sort());
    }
  });

  test('when the backends are a team’s own, then the services reach their collector through extraEgress and PostgreSQL as before, and nothing else', async () => {
    const external = objects(await template([join(CHART, 'ci', 'external-values.yaml')]));
    const theirs: Pod = {
      name: 'their-collector',
      namespace: 'observability',
      labels: { 'app.kubernetes.io/name': 'otel-collector' },
      ports: ['4317/TCP', '4318/TCP'],
    };
    const expected = [
      ...toGateway([CLIENT, DNS, theirs]),
      ...['user-service', 'order-service', 'payment-service'].map(
        (s) => `api-gateway → ${s}:${port(s)}/TCP`,
      ),
      `order-service → user-service:${port('user-service')}/TCP`,
      `order-service → payment-service:${port('payment-service')}/TCP`,
      ...WITH_DATABASE.map((s) => `${s} → postgres:5432/TCP`),
      ...SERVICES.map((s) => `${s.name} → their-collector:4318/TCP`),
      ...workloads(external).flatMap((w) => [
        `${w.metadata.name} → kube-dns:53/UDP`,
        `${w.metadata.name} → kube-dns:53/TCP`,
      ]),
    ].sort();
    assert.deepEqual(releaseConnections(external, [CLIENT, DNS, theirs]), expected);
  });
});
