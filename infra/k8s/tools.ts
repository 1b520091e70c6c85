/**
 * Where the Kubernetes tooling of the chart's checks lives: under the stack cache
 * (SIGHTLINE_STACK_CACHE, default ~/.cache/sightline/stack), in `k8s/<tool>-<version>`, one
 * folder per pinned version so changing a pin never overwrites another build. The pins are
 * in `.env`, read here and by nothing else.
 */
import { join } from 'node:path';
import { pin, readPins, stackCache } from '../stack/pins.ts';

export interface K8sTools {
  kubernetesVersion: string;
  etcdVersion: string;
  helmVersion: string;
  kubeconformVersion: string;
  kubernetesValidateVersion: string;
  /** The Kubernetes versions whose JSON schemas kubeconform checks against, e.g. 1.35.0. */
  schemaVersions: string[];
  dir: string;
  helm: string;
  kubeconform: string;
  kubeApiserver: string;
  kubectl: string;
  etcd: string;
  /** The folder of one Kubernetes version's standalone JSON schemas. */
  schemas(version: string): string;
}

export function k8sTools(pins = readPins()): K8sTools {
  const dir = join(stackCache(), 'k8s');
  const kubernetesVersion = pin(pins, 'KUBERNETES_VERSION');
  const etcdVersion = pin(pins, 'ETCD_VERSION');
  const helmVersion = pin(pins, 'HELM_VERSION');
  const kubeconformVersion = pin(pins, 'KUBECONFORM_VERSION');
  const kubernetesValidateVersion = pin(pins, 'KUBERNETES_VALIDATE_VERSION');
  const kubernetesDir = join(dir, `kubernetes-${kubernetesVersion}`);
  const schemasDir = join(dir, `schemas-kubernetes-validate-${kubernetesValidateVersion}`);
  return {
    kubernetesVersion,
    etcdVersion,
    helmVersion,
    kubeconformVersion,
    kubernetesValidateVersion,
    schemaVersions: pin(pins, 'KUBERNETES_SCHEMA_VERSIONS').split(','),
    dir,
    helm: join(dir, `helm-${helmVersion}`, 'helm'),
    kubeconform: join(dir, `kubeconform-${kubeconformVersion}`, 'kubeconform'),
    kubeApiserver: join(kubernetesDir, 'kube-apiserver'),
    kubectl: join(kubernetesDir, 'kubectl'),
    etcd: join(dir, `etcd-${etcdVersion}`, 'etcd'),
    schemas: (version) => join(schemasDir, `v${version}`),
  };
}
