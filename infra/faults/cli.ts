/**
 * `npm run fault -- list | set <fault> [--option value …] [--for 10m] | clear <fault> | clear --all`:
 * switches failure-drill faults on the services' admin APIs, each fault at the service that
 * owns it (faults/flags.json). Address and token follow the rule in admin-access.ts, which
 * `npm run drill` shares: SIGHTLINE_ADMIN_TOKEN, else .data/admin-token.
 */
import type { FaultState } from '@sightline/faults';
import { FAULT_NAMES, isFaultName, ownerOf, type FaultName } from '../../faults/catalog.ts';
import type { ServiceSpec } from '../dev/services.ts';
import {
  adminBaseUrl as baseUrl,
  adminToken,
  NoAdminToken,
  type AdminToken,
} from './admin-access.ts';

type ServiceName = ServiceSpec['name'];

const USAGE = `usage: npm run fault -- list
       npm run fault -- set <fault> [--<option> <value> …] [--for 10m]
       npm run fault -- clear <fault>
       npm run fault -- clear --all
faults: ${FAULT_NAMES.join(', ')}`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const owners = [...new Set(FAULT_NAMES.map(ownerOf))] as ServiceName[];

function token(): AdminToken {
  try {
    return adminToken();
  } catch (error) {
    if (error instanceof NoAdminToken) return fail(error.message);
    throw error;
  }
}

async function call(service: ServiceName, method: string, path: string, body?: unknown) {
  const auth = token();
  const url = `${baseUrl(service)}/admin/faults${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${auth.value}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    return fail(`${service} is not answering at ${baseUrl(service)}: is Sightline running?`);
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 401) fail(`${service} refused the token from ${auth.from} (401).`);
  if (response.status === 404 && !answer.type?.toString().includes('fault-not-found')) {
    fail(`${service} has no admin API: it was started without ADMIN_TOKENS or ADMIN_TOKEN.`);
  }
  if (!response.ok) fail(`${service}: ${String(answer.title)}: ${String(answer.detail)}`);
  return answer;
}

function show(service: ServiceName, fault: FaultState): void {
  const state = fault.on
    ? `ON until ${fault.until} by ${fault.by} ${JSON.stringify(fault.options)}`
    : 'off';
  console.log(`${service.padEnd(16)} ${fault.name.padEnd(22)} ${state}`);
}

function faultArgument(name: string | undefined): FaultName {
  if (!name || !isFaultName(name)) fail(`${name ?? '(none)'} is not a fault.\n${USAGE}`);
  return name;
}

/** `--percent 50 --sku SKU-MUG-002 --for 30s` → `{ percent: 50, sku: 'SKU-MUG-002', for: '30s' }`. */
function options(args: string[]): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, '');
    const value = args[i + 1];
    if (!key || !args[i]?.startsWith('--') || value === undefined) fail(`bad options.\n${USAGE}`);
    parsed[key] = key !== 'for' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return parsed;
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'list') {
  for (const service of owners) {
    const { faults } = (await call(service, 'GET', '')) as { faults: FaultState[] };
    for (const fault of faults) show(service, fault);
  }
} else if (command === 'set') {
  const name = faultArgument(rest[0]);
  const service = ownerOf(name) as ServiceName;
  show(
    service,
    (await call(service, 'PUT', `/${name}`, options(rest.slice(1)))) as unknown as FaultState,
  );
} else if (command === 'clear' && rest[0] === '--all') {
  for (const service of owners) {
    const { faults } = (await call(service, 'DELETE', '')) as { faults: FaultState[] };
    for (const fault of faults) show(service, fault);
  }
} else if (command === 'clear') {
  const name = faultArgument(rest[0]);
  const service = ownerOf(name) as ServiceName;
  show(service, (await call(service, 'DELETE', `/${name}`)) as unknown as FaultState);
} else {
  fail(USAGE);
}
