import { z } from 'zod';

/** A named bearer token for the admin API. The name goes into audit lines; the token never does. */
export interface AdminToken {
  name: string;
  token: string;
}

const NAME = /^[\w.-]{1,64}$/;
// Long enough not to be guessed; no `,` or `:`, which separate entries and names.
const TOKEN = /^[\w.~+/=-]{16,256}$/;

/**
 * `ADMIN_TOKENS` (`name:token` pairs, comma-separated) and `ADMIN_TOKEN` (one token, named
 * `admin`). Unset, the admin API is off and its routes answer 404. Messages name the entry,
 * never its value: a token must not end up in a log or a terminal.
 */
export const adminTokenSettings = {
  ADMIN_TOKENS: z
    .string()
    .optional()
    .superRefine((value, context) => {
      const names = new Set<string>();
      (value ?? '').split(',').forEach((entry, index) => {
        if (value === undefined) return;
        const [name = '', token = '', ...rest] = entry.trim().split(':');
        if (!NAME.test(name) || !TOKEN.test(token) || rest.length > 0) {
          context.addIssue({
            code: 'custom',
            message: `entry ${index + 1} must be name:token, the name of letters, digits, . _ -, the token 16 to 256 of letters, digits, . _ ~ + / = -`,
          });
        } else if (names.has(name)) {
          context.addIssue({ code: 'custom', message: `the name ${name} is given twice` });
        }
        names.add(name);
      });
    })
    .describe(
      'Admin API tokens as name:token pairs, comma-separated; unset turns /admin/faults off (404)',
    ),
  ADMIN_TOKEN: z
    .string()
    .regex(TOKEN, 'must be 16 to 256 of letters, digits, . _ ~ + / = -')
    .optional()
    .describe('One admin API token, named `admin` in audit lines (alongside ADMIN_TOKENS)'),
};

export function adminTokens(config: { ADMIN_TOKENS?: string; ADMIN_TOKEN?: string }): AdminToken[] {
  const tokens = (config.ADMIN_TOKENS ?? '')
    .split(',')
    .filter((entry) => entry.trim())
    .map((entry) => {
      const [name = '', token = ''] = entry.trim().split(':');
      return { name, token };
    });
  if (config.ADMIN_TOKEN) tokens.push({ name: 'admin', token: config.ADMIN_TOKEN });
  return tokens;
}
