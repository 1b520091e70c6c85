import { createHash, timingSafeEqual } from 'node:crypto';
import { parseInput, ProblemError, problemType } from '@sightline/service';
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AdminToken } from './admin-tokens.ts';
import type { FaultControl } from './fault-control.ts';
import { MAX_FAULT_MS, parseFaultDuration } from './fault-duration.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The name of the token the request carries, or `undefined`. Digests make every comparison
 * the same length, and every configured token is compared, so the time taken says nothing
 * about which one came close.
 */
function tokenName(header: string | undefined, tokens: AdminToken[]): string | undefined {
  const offered = digest(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  let found: string | undefined;
  for (const { name, token } of tokens) {
    if (timingSafeEqual(offered, digest(token)) && !found) found = name;
  }
  return found;
}

function requireToken(tokens: AdminToken[]): RequestHandler {
  return (request, response, next) => {
    const name = tokenName(request.headers.authorization, tokens);
    if (!name) {
      response.setHeader('www-authenticate', 'Bearer realm="sightline-admin"');
      throw new ProblemError({
        type: problemType('unauthorized'),
        title: 'Unauthorized',
        status: 401,
        detail: 'The admin API needs a bearer token configured in ADMIN_TOKENS or ADMIN_TOKEN.',
      });
    }
    response.locals.adminTokenName = name;
    next();
  };
}

const FaultParams = z.object({ fault: z.string() });
const FaultBody = z.record(z.string(), z.unknown()).default({});
const Lifetime = z.object({
  for: z
    .union([z.string(), z.number()])
    .optional()
    .transform((value, context) => {
      const ms = parseFaultDuration(value);
      if (ms === undefined) {
        context.addIssue({
          code: 'custom',
          message: `must be a duration from 1ms to ${MAX_FAULT_MS / 60_000}m, e.g. 200ms, 30s, 10m, 1h`,
        });
        return z.NEVER;
      }
      return ms;
    }),
});

/**
 * `/admin/faults`: list, switch on, switch off this service's faults, each checked against
 * its declared options schema. Every route needs a token. It shares the service's port, so it
 * is as reachable as the service itself; the gateway forwards none of it.
 */
export function faultAdminRoutes(
  control: FaultControl,
  schemas: Record<string, z.ZodType>,
  tokens: AdminToken[],
): Router {
  const router = Router();
  const owned = Object.keys(schemas);
  // Every owned fault's gauge starts at 0, so a dashboard has a series before the first drill.
  control.describe(owned);
  router.use(requireToken(tokens));

  const ownFault = (params: unknown): string => {
    const { fault } = parseInput(FaultParams, params, 'path');
    if (!Object.hasOwn(schemas, fault)) {
      throw new ProblemError({
        type: problemType('fault-not-found'),
        title: 'No such fault here',
        status: 404,
        detail: `This service has no fault ${fault}; its faults: ${owned.join(', ')}`,
      });
    }
    return fault;
  };

  router.get('/', (_request, response) => {
    response.json({ faults: control.describe(owned) });
  });

  router.put('/:fault', (request, response) => {
    const name = ownFault(request.params);
    const { for: lifetime, ...asked } = parseInput(FaultBody, request.body);
    const durationMs = parseInput(Lifetime, { for: lifetime }).for;
    const schema = schemas[name] as z.ZodType;
    const options = parseInput(schema, control.withDefaults(name, asked)) as object;
    const by = String(response.locals.adminTokenName);
    response.json(control.switchOn(name, options, durationMs, by));
  });

  router.delete('/:fault', (request, response) => {
    response.json(
      control.switchOff(ownFault(request.params), String(response.locals.adminTokenName)),
    );
  });

  router.delete('/', (_request, response) => {
    const by = String(response.locals.adminTokenName);
    response.json({ faults: owned.map((name) => control.switchOff(name, by)) });
  });

  return router;
}
