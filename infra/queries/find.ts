import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { QueryLanguage } from './grammar.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every PromQL and LogQL expression the repository ships, wherever it lives: Prometheus
 * rules and their tests, Grafana's provisioning (datasource links), the
 * dashboards, and the docs (fenced blocks marked ```promql or ```logql). The grammar test
 * parses them all; the stack tests run the dashboards' ones against real data.
 */
export interface FoundQuery {
  /** Repository-relative file. */
  file: string;
  /** Where in the file, for a person reading a failure. */
  where: string;
  language: QueryLanguage;
  /** As written, with Grafana's variables still in it where it has any. */
  expr: string;
  /** Whether Grafana fills variables in before the datasource sees it. */
  grafana: boolean;
}

type Node = Record<string, unknown>;

function files(folder: string, extensions: string[]): string[] {
  const dir = join(ROOT, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => extensions.some((e) => f.endsWith(e)))
    .map((f) => join(folder, f))
    .sort();
}

function yamlOf(file: string): unknown {
  return parse(readFileSync(join(ROOT, file), 'utf8'));
}

function list(value: unknown): Node[] {
  return Array.isArray(value) ? (value as Node[]) : [];
}

function prometheusRules(): FoundQuery[] {
  return files('prometheus/rules', ['.yml', '.yaml']).flatMap((file) =>
    list((yamlOf(file) as Node).groups).flatMap((group) =>
      list(group.rules).map((rule) => ({
        file,
        where: `${String(group.name)} / ${String(rule.alert ?? rule.record)}`,
        language: 'promql' as const,
        expr: String(rule.expr),
        grafana: false,
      })),
    ),
  );
}

function prometheusRuleTests(): FoundQuery[] {
  return files('prometheus/tests', ['.yml', '.yaml']).flatMap((file) =>
    list((yamlOf(file) as Node).tests).flatMap((t, i) =>
      list(t.promql_expr_test).map((check) => ({
        file,
        where: `tests[${i}] promql_expr_test`,
        language: 'promql' as const,
        expr: String(check.expr),
        grafana: false,
      })),
    ),
  );
}

/** Grafana's provisioning files escape a literal `$` as `$$`. */
function unescapeProvisioning(text: string): string {
  return text.replaceAll('$$', '$');
}

function grafanaDatasources(): FoundQuery[] {
  return files('grafana/provisioning/datasources', ['.yml', '.yaml']).flatMap((file) =>
    list((yamlOf(file) as Node).datasources).flatMap((ds) => {
      const json = (ds.jsonData ?? {}) as Node;
      const found: FoundQuery[] = [];
      const logs = json.tracesToLogsV2 as Node | undefined;
      if (typeof logs?.query === 'string')
        found.push({
          file,
          where: `${String(ds.name)} tracesToLogsV2`,
          language: 'logql',
          expr: unescapeProvisioning(logs.query),
          grafana: true,
        });
      for (const q of list((json.tracesToMetrics as Node | undefined)?.queries))
        found.push({
          file,
          where: `${String(ds.name)} tracesToMetrics "${String(q.name)}"`,
          language: 'promql',
          expr: unescapeProvisioning(String(q.query)),
          grafana: true,
        });
      return found;
    }),
  );
}

/** Which query language a Grafana datasource reference speaks, by its provisioned uid. */
function languageOf(datasource: unknown): QueryLanguage | undefined {
  const ref = (datasource ?? {}) as { type?: string; uid?: string };
  const key = ref.type ?? ref.uid ?? '';
  if (key === 'prometheus') return 'promql';
  if (key === 'loki') return 'logql';
  return undefined;
}

/** Panels, including those nested in rows. */
function panelsOf(dashboard: Node): Node[] {
  return list(dashboard.panels).flatMap((panel) => [panel, ...list(panel.panels)]);
}

function grafanaDashboards(): FoundQuery[] {
  return files('grafana/dashboards', ['.json']).flatMap((file) => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Node;
    const annotations = list((dashboard.annotations as Node | undefined)?.list).flatMap(
      (annotation): FoundQuery[] => {
        const language = languageOf(annotation.datasource);
        const expr = (annotation.target as Node | undefined)?.expr ?? annotation.expr;
        return language && typeof expr === 'string'
          ? [
              {
                file,
                where: `annotation "${String(annotation.name)}"`,
                language,
                expr,
                grafana: true,
              },
            ]
          : [];
      },
    );
    return annotations.concat(
      panelsOf(dashboard).flatMap((panel) =>
        list(panel.targets).flatMap((target) => {
          const language = languageOf(target.datasource ?? panel.datasource);
          return language && typeof target.expr === 'string'
            ? [
                {
                  file,
                  where:
                    `panel "${String(panel.title)}" ${typeof target.refId === 'string' ? target.refId : ''}`.trim(),
                  language,
                  expr: target.expr,
                  grafana: true,
                },
              ]
            : [];
        }),
      ),
    );
  });
}

function markdown(): FoundQuery[] {
  const docs = ['README.md', ...files('docs', ['.md'])];
  return docs.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return [...text.matchAll(/^```(promql|logql)[^\n]*\n([\s\S]*?)^```/gm)].flatMap((m) => {
      const line = text.slice(0, m.index).split('\n').length;
      // One expression per block; blank lines separate several.
      return m[2]!
        .split(/\n\s*\n/)
        .map((expr) => expr.trim())
        .filter(Boolean)
        .map((expr) => ({
          file,
          where: `line ${line}`,
          language: m[1] as QueryLanguage,
          expr,
          grafana: expr.includes('$'),
        }));
    });
  });
}

export function findQueries(): FoundQuery[] {
  return [
    ...prometheusRules(),
    ...prometheusRuleTests(),
    ...grafanaDatasources(),
    ...grafanaDashboards(),
    ...markdown(),
  ];
}
