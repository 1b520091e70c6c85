import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

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
 * Who is emitting telemetry. The name is the folder of the package.json nearest the entry
 * script (`services/order-service/src/main.ts` → `order-service`), not the name written in that
 * package.json: a copied or generated service names itself even when its package.json still
 * carries the name it was copied from. `OTEL_SERVICE_NAME` overrides it, as the OpenTelemetry
 * spec says it should. The version is the package.json's.
 */
export function resolveServiceIdentity(
  env: NodeJS.ProcessEnv = process.env,
  entryScript: string | undefined = process.argv[1],
): ServiceIdentity {
  const found = entryScript ? findNearestPackageJson(resolve(entryScript)) : undefined;
  return {
    name: env.OTEL_SERVICE_NAME || (found && basename(found.dir)) || 'unknown_service:node',
    version: env.SERVICE_VERSION || found?.pkg.version || '0.0.0',
    instanceId: env.SERVICE_INSTANCE_ID || randomUUID(),
    environment: env.DEPLOYMENT_ENVIRONMENT || 'local',
  };
}

function findNearestPackageJson(
  from: string,
): { dir: string; pkg: { version?: string } } | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      return { dir, pkg: JSON.parse(readFileSync(candidate, 'utf8')) as { version?: string } };
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
