/** Rendered Kubernetes objects, read the way the chart's tests look at them. */
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

export interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { containerPort: number; protocol?: string }[];
  resources?: { requests?: { memory?: string }; limits?: { memory?: string } };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}

export interface PodSpec {
  containers: Container[];
  volumes?: { name: string; [source: string]: unknown }[];
  [key: string]: unknown;
}

export function objects(rendered: string): K8sObject[] {
  return parseAllDocuments(rendered)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

export function find(rendered: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return rendered.find((o) => o.kind === kind && o.metadata.name === name);
}

export function podSpec(object: K8sObject): PodSpec {
  return (object.spec?.template as { spec: PodSpec }).spec;
}

/** The pod template's labels of a Deployment or DaemonSet. */
export function podLabels(object: K8sObject): Record<string, string> {
  return (object.spec?.template as { metadata: { labels: Record<string, string> } }).metadata
    .labels;
}

/** Every Deployment and DaemonSet: the workloads whose pods the chart runs. */
export function workloads(rendered: K8sObject[]): K8sObject[] {
  return rendered.filter((o) => ['Deployment', 'DaemonSet'].includes(o.kind));
}
