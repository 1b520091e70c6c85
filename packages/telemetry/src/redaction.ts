/**
 * What never leaves a process in a log line. Keys are matched at the top level and one level
 * down (pino's redaction paths), which covers every object our services log.
 */
const REMOVED_KEYS = ['password', 'card', 'cardNumber', 'cvc', 'authorization', 'cookie'];

export const REDACTED_PATHS = [
  ...REMOVED_KEYS.flatMap((key) => [key, `*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'email',
  '*.email',
];

/** `alice@example.com` → `a***@example.com`: enough to tell users apart, not to reach them. */
export function maskEmail(value: unknown): string {
  if (typeof value !== 'string') return '[redacted]';
  const at = value.lastIndexOf('@');
  if (at < 1) return '[redacted]';
  return `${value[0]}***${value.slice(at)}`;
}

/**
 * pino's censor: emails are masked, everything else on the list is dropped (a key whose value
 * is `undefined` is left out of the JSON line altogether).
 */
export function censor(value: unknown, path: string[]): string | undefined {
  return path.at(-1) === 'email' ? maskEmail(value) : undefined;
}
