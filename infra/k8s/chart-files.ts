/**
 * What the Helm chart (deploy/helm/sightline) holds of the rest of the repository. Helm reads
 * only files inside a chart's folder (`.Files.Get`), so the config files compose and the
 * native stack use are copied into the chart's `files/` folder by `npm run chart:sync`, and
 * `npm run test:k8s` fails when a copy differs from its source. Also derived here, from the
 * one place each is written down:
 *
 * - files/services.json: the service list (infra/dev/services.ts), as `npm run services:sync`
 *   writes it;
 * - files/prometheus/targets/*.json: Prometheus' scrape targets, the same lists compose uses
 *   (Kubernetes Services carry compose's names);
 * - values.yaml: each image tag (.env) and each memory limit (docker-compose.yml, whose
 *   `208M` is 208 MiB, written `208Mi` for Kubernetes). The memory request equals the limit.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, parse } from 'yaml';
import { SERVICES } from '../dev/services.ts';
import { ROOT, pin, readPins } from '../stack/pins.ts';
import { targetGroups } from '../stack/prometheus-targets.ts';
import { chartServiceList, kubernetesMemory } from '../services/sync.ts';

export const CHART = join(ROOT, 'deploy', 'helm', 'sightline');
export const MANIFEST = join(ROOT, 'deploy', 'k8s', 'sightline.yaml');

/** Repository file or folder → where it goes under the chart's files/. */
const COPIED: [string, string][] = [
  ['otel-collector/config.yaml', 'otel-collector/config.yaml'],
  ['otel-collector/sampling-all.yaml', 'otel-collector/sampling-all.yaml'],
  ['otel-collector/sampling-production.yaml', 'otel-collector/sampling-production.yaml'],
  ['prometheus/prometheus.yml', 'prometheus/prometheus.yml'],
  ['prometheus/rules', 'prometheus/rules'],
  ['prometheus/alertmanager.yml', 'prometheus/alertmanager.yml'],
  ['loki/config.yaml', 'loki/config.yaml'],
  ['grafana/grafana.ini', 'grafana/grafana.ini'],
  ['grafana/provisioning/datasources', 'grafana/provisioning/datasources'],
  ['grafana/provisioning/dashboards', 'grafana/provisioning/dashboards'],
  ['grafana/dashboards', 'grafana/dashboards'],
  ['docs/runbooks', 'runbooks'],
  ['infra/jaeger/config.yaml', 'jaeger/config.yaml'],
  ['infra/jaeger/ui-config.json', 'jaeger/ui-config.json'],
  ['infra/postgres/init.sql', 'postgres/init.sql'],
];

/** Every file the chart's files/ folder must hold, path (relative to files/) → content. */
export function chartFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [source, target] of COPIED) {
    const path = join(ROOT, source);
    const names = source.includes('.') ? [''] : readdirSync(path).sort();
    for (const name of names) {
      files.set(
        name ? `${target}/${name}` : target,
        readFileSync(name ? join(path, name) : path, 'utf8'),
      );
    }
  }
  files.set('services.json', chartServiceList());
  for (const [job, groups] of Object.entries(targetGroups('compose'))) {
    files.set(`prometheus/targets/${job}.json`, `${JSON.stringify(groups, null, 2)}\n`);
  }
  return files;
}

/** values.yaml path → the compose service whose memory limit it carries. */
const MEMORY_FROM_COMPOSE: [string[], string][] = [
  ...SERVICES.map((s): [string[], string] => [['services', 'resources', s.name], s.name]),
  [['postgres', 'resources'], 'postgres'],
  [['collector', 'resources'], 'otel-collector'],
  [['jaeger', 'resources'], 'jaeger'],
  [['prometheus', 'resources'], 'prometheus'],
  [['alertmanager', 'resources'], 'alertmanager'],
  [['alertmanager', 'webhook', 'resources'], 'alert-webhook'],
  [['loki', 'resources'], 'loki'],
  [['grafana', 'resources'], 'grafana'],
];

/** values.yaml path → the image tag .env pins. */
function imageTags(pins: Record<string, string>): [string[], string][] {
  const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);
  return [
    [['postgres', 'image', 'tag'], tagOf(pin(pins, 'POSTGRES_IMAGE'))],
    [['collector', 'image', 'tag'], pin(pins, 'OTELCOL_VERSION')],
    [['jaeger', 'image', 'tag'], pin(pins, 'JAEGER_VERSION')],
    [['prometheus', 'image', 'tag'], `v${pin(pins, 'PROMETHEUS_VERSION')}`],
    [['alertmanager', 'image', 'tag'], `v${pin(pins, 'ALERTMANAGER_VERSION')}`],
    [['loki', 'image', 'tag'], pin(pins, 'LOKI_VERSION')],
    [['grafana', 'image', 'tag'], pin(pins, 'GRAFANA_VERSION')],
  ];
}

interface ComposeFile {
  services: Record<string, { deploy?: { resources?: { limits?: { memory?: string } } } }>;
}

/** Each compose service's memory limit, its anchors resolved. */
export function composeMemoryLimits(): Record<string, string> {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as ComposeFile;
  return Object.fromEntries(
    Object.entries(compose.services).flatMap(([name, service]) => {
      const memory = service.deploy?.resources?.limits?.memory;
      return memory ? [[name, kubernetesMemory(String(memory))]] : [];
    }),
  );
}

/** values.yaml as it must be: the given text with every pinned tag and memory figure set. */
export function syncedValues(text: string): string {
  const document = parseDocument(text);
  const limits = composeMemoryLimits();
  // A service new to the list gets the CPU request the others have.
  for (const service of SERVICES) {
    const cpu = ['services', 'resources', service.name, 'requests', 'cpu'];
    if (!document.hasIn(cpu)) document.setIn(cpu, '50m');
  }
  for (const [path, composeService] of MEMORY_FROM_COMPOSE) {
    const memory = limits[composeService];
    if (!memory) throw new Error(`docker-compose.yml has no memory limit for ${composeService}`);
    document.setIn([...path, 'requests', 'memory'], memory);
    document.setIn([...path, 'limits', 'memory'], memory);
  }
  for (const [path, tag] of imageTags(readPins())) document.setIn(path, tag);
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
