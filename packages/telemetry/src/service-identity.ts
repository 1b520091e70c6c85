import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ServiceIdentity {
  /** `service.name`: the service's folder name, e.g. `order-service`. */
  name: string;
  version: string;
  /** `service.instance.id`: unique per process, so two replicas never merge. */
  instanceId: string;
  /** `deployment.environment.name`. */
  environment: string;
}

/**
 * Who is emitting telemetry. The name comes from the package.json next to the entry script
 * (`services/order-service/package.json` → `order-service`), so a copied service names itself;
 * `OTEL_SERVICE_NAME` overrides it, as the OpenTelemetry spec says it should.
 */
export function resolveServiceIdentity(
  env: NodeJS.ProcessEnv = process.env,
  entryScript: string | undefined = process.argv[1],
): ServiceIdentity {
  const pkg = entryScript ? readNearestPackageJson(resolve(entryScript)) : undefined;
  const packageName = pkg?.name?.replace(/^@[^/]+\//, '');
  return {
    name: env.OTEL_SERVICE_NAME || packageName || 'unknown_service:node',
    version: env.SERVICE_VERSION || pkg?.version || '0.0.0',
    instanceId: env.SERVICE_INSTANCE_ID || randomUUID(),
    environment: env.DEPLOYMENT_ENVIRONMENT || 'local',
  };
}

function readNearestPackageJson(from: string): { name?: string; version?: string } | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      return JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

let current: ServiceIdentity | undefined;

/** The identity of this process, resolved once and shared by traces, logs, metrics and errors. */
export function serviceIdentity(): ServiceIdentity {
  current ??= resolveServiceIdentity();
  return current;
}
