import { z } from 'zod';

/**
 * The settings telemetry reads itself, before a service has loaded its configuration: the log
 * level and error reporting's keys. A service's schema (`baseConfigSchema` in @sightline/service)
 * includes them, so `loadConfig` reports a bad value with every other bad key.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * Error reporting's keys. Sentry starts before the service's config is loaded (it must see
 * errors thrown during start), so `startErrorReporting` parses these on its own, and starts
 * nothing if they are bad; the service's `loadConfig` then reports them with the rest.
 */
export const sentrySettings = z.object({
  SENTRY_DSN: httpUrl
    .refine((value) => {
      const dsn = new URL(value);
      return dsn.username !== '' && /^\/(.+\/)?\d+$/.test(dsn.pathname);
    }, 'must be a Sentry DSN: https://<public key>@<host>/<project id>')
    .optional()
    .describe('Send errors to this Sentry project'),
  SENTRY_SPOTLIGHT: httpUrl
    .optional()
    .describe('Send errors to a Spotlight sidecar, e.g. http://localhost:8969/stream'),
});

/** An empty variable counts as unset, as it does in compose files and shells. */
export function presentKeys(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
}
