/**
 * Renders the Helm chart with the pinned Helm (npm run k8s:install puts it in the cache), or
 * with the `helm` on PATH where nothing built one.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { SERVICES } from '../dev/services.ts';
import { CHART } from './chart-files.ts';
import { k8sTools } from './tools.ts';

const exec = promisify(execFile);

/** The release name the plain manifest is rendered with; Service names do not depend on it. */
export const RELEASE = 'sightline';

export function helmPath(): string {
  const { helm } = k8sTools();
  return existsSync(helm) ? helm : 'helm';
}

/** Runs the pinned Helm; fails with its output. */
export async function helm(args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(helmPath(), args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(`no Helm in ${k8sTools().helm} nor on PATH: run npm run k8s:install`, {
        cause: error,
      });
    }
    const output = `${failure.stderr ?? ''}${failure.stdout ?? ''}`;
    throw new Error(`helm ${args.join(' ')} failed:\n${output}`, { cause: error });
  }
}

/**
 * `helm template` of the chart with these value files (none: the defaults) and `--set`
 * values.
 */
export function template(
  valueFiles: string[] = [],
  namespace = 'default',
  set: string[] = [],
): Promise<string> {
  return helm([
    'template',
    RELEASE,
    CHART,
    '--namespace',
    namespace,
    ...valueFiles.flatMap((file) => ['--values', file]),
    ...set.flatMap((value) => ['--set', value]),
  ]);
}

/**
 * The plain manifest leaves PostgreSQL's Secret out: a password rendered into a committed
 * file would be everyone's. The pods read the Secret postgres-auth, which its user creates.
 */
export const MANIFEST_SET = ['postgres.auth.existingSecret=postgres-auth'];

const HEADER = `# Sightline on Kubernetes: the Helm chart deploy/helm/sightline rendered with its default
# values, but for PostgreSQL's passwords, which are yours to make (npm run chart:sync writes
# this file; npm run test:k8s fails when it differs from a fresh render). No namespace is set,
# so it installs into the one you choose; first the Secret postgres-auth, a random password
# for initdb and for each service's role (docs/kubernetes.md):
#
#   kubectl create namespace sightline
#   kubectl -n sightline create secret generic postgres-auth \\
#     $(for key in ${['postgres', ...SERVICES.filter((s) => s.database).map((s) => s.name)].join(' ')}; do
#       printf -- '--from-literal=%s-password=%s ' "$key" "$(openssl rand -hex 16)"; done)
#   kubectl apply -n sightline -f deploy/k8s/sightline.yaml
#
# or use it as a kustomize base. docs/kubernetes.md says what it runs and how to reach it.
`;

export async function renderManifest(): Promise<string> {
  return `${HEADER}${await template([], 'default', MANIFEST_SET)}`;
}
