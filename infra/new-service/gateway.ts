/**
 * The gateway's code for a public service (`--public /api/<resource>`): its address setting,
 * its upstream and its two routes, each added after the last line of its kind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { urlVariable } from '../dev/services.ts';
import { camel } from './template.ts';

const GATEWAY = 'services/api-gateway/src';

export interface GatewayRoute {
  root: string;
  /** The service the routes go to. */
  name: string;
  port: number;
  /** `/api/<resource>` */
  resource: string;
}

/** Whether the gateway already serves `/api/<resource>`. */
export function gatewayRoutes(root: string, resource: string): boolean {
  const routes = readFileSync(join(root, GATEWAY, 'routes.ts'), 'utf8');
  return routes.includes(`'/api/${resource}'`) || routes.includes(`'/api/${resource}/`);
}

interface Insertion {
  /** The file's path, for errors. */
  file: string;
  content: string;
  /** `text` goes after the last line that matches. */
  anchor: RegExp;
  text: string;
}

function insertAfter({ file, content, anchor, text }: Insertion): string {
  const match = [...content.matchAll(new RegExp(anchor.source, 'gm'))].at(-1);
  if (!match) throw new Error(`${file}: no line matches ${anchor}; route the service by hand`);
  const at = content.indexOf('\n', match.index) + 1;
  return content.slice(0, at) + text + content.slice(at);
}

/** The gateway's files that change, path → content. */
export function routeThroughGateway({ root, name, port, resource }: GatewayRoute) {
  const variable = urlVariable(name);
  const key = camel(resource);
  const edits: [string, RegExp, string][] = [
    [
      'config.ts',
      /^ {2}[A-Z0-9_]+_URL: serviceUrlSetting\(.*$/,
      `  ${variable}: serviceUrlSetting('${name}', 'http://localhost:${port}'),\n`,
    ],
    [
      'main.ts',
      /^ {6}\w+: new Upstream\(.*$/,
      `      ${key}: new Upstream('${name}', config.${variable}, timeout),\n`,
    ],
    ['routes.ts', /^ {2}\w+: Upstream;$/, `  ${key}: Upstream;\n`],
    [
      'routes.ts',
      /^ {2}router\.\w+\('\/api\/.*proxyTo\(upstreams\.\w+\)\);$/,
      `  router.post('/api/${resource}', proxyTo(upstreams.${key}));\n` +
        `  router.get('/api/${resource}/:id', proxyTo(upstreams.${key}));\n`,
    ],
  ];
  const files = new Map<string, string>();
  for (const [file, anchor, text] of edits) {
    const path = join(GATEWAY, file);
    const content = files.get(path) ?? readFileSync(join(root, path), 'utf8');
    files.set(path, insertAfter({ file: path, content, anchor, text }));
  }
  return files;
}
