import { LOG_LEVELS, presentKeys, sentrySettings } from '@sightline/telemetry';
import { z } from 'zod';

/** Settings every service reads. A service extends this schema with its own keys. */
export const baseConfigSchema = sentrySettings.extend({
  HOST: z
    .union([z.ipv4(), z.ipv6(), z.hostname()], { error: 'must be an IP address or a host name' })
    .default('127.0.0.1')
    .describe(
      'Address to listen on: 127.0.0.1 keeps the service on this machine; 0.0.0.0 (all interfaces) is what a container needs',
    ),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info').describe('Minimum level of log lines written'),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('How long in-flight requests may take to finish after SIGTERM'),
  SHUTDOWN_READINESS_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(2_000)
    .describe(
      'After SIGTERM, how long /health/ready answers 503 before the listener closes, so load balancers stop sending first',
    ),
});

export function portSetting(defaultPort: number) {
  return z.coerce
    .number()
    .int()
    .min(0)
    .max(65_535)
    .default(defaultPort)
    .describe('TCP port to listen on (0 picks a free one)');
}

export function serviceUrlSetting(service: string, defaultUrl: string) {
  return z.url().default(defaultUrl).describe(`Base URL of ${service}`);
}

/** For services with a database: the longest one statement may run (`statement_timeout`). */
export function statementTimeoutSetting() {
  return z.coerce
    .number()
    .int()
    .positive()
    .default(5_000)
    .describe('How long one database statement may run before PostgreSQL cancels it');
}

export class ConfigError extends Error {
  readonly problems: { key: string; message: string }[];
  constructor(problems: { key: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Validates the environment against a service's schema and reports every bad key at once.
 * An empty variable counts as unset, as it does in compose files and shells.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const result = schema.safeParse(presentKeys(env));
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.') || '(environment)',
      message: issue.message,
    })),
  );
}
