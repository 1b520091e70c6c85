import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

/**
 * PromQL and LogQL parsed with the grammars Grafana's and Prometheus' own query editors use
 * (lezer). promtool proves our Prometheus rules natively; nothing on our machines can run
 * Loki, so this is how a LogQL expression is proven before a user's Grafana sees it.
 */
export type QueryLanguage = 'promql' | 'logql';

/** Where the grammar gave up, as "offset N: …text…"; an empty list means it parsed. */
export function syntaxErrors(language: QueryLanguage, expr: string): string[] {
  if (expr.trim() === '') return ['empty expression'];
  const parser = language === 'promql' ? promqlParser : logqlParser;
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(
          `offset ${node.from}: …${expr.slice(Math.max(0, node.from - 15), node.from + 15)}…`,
        );
    },
  });
  return errors;
}

/**
 * Values for the variables Grafana fills in before a query reaches its datasource: its
 * built-in interval and range variables, the link variables of the datasource provisioning,
 * and the dashboards' template variables. An unknown variable is an error, so a new one is
 * added here deliberately (and then proven against real data by the stack tests).
 */
export const GRAFANA_VARIABLES: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '15m',
  __range_s: '900',
  // tracesToMetrics: the span's tags as Prometheus matchers.
  __tags: 'service_name="order-service"',
  '__trace.traceId': '4bf92f3577b34da6a3ce929d0e0e4736',
  '__span.spanId': '00f067aa0ba902b7',
  '__value.raw': '4bf92f3577b34da6a3ce929d0e0e4736',
  service: 'order-service',
};

/** The expression as its datasource receives it: Grafana's `$name`/`${name}` filled in. */
export function fillGrafanaVariables(
  expr: string,
  values: Record<string, string> = GRAFANA_VARIABLES,
): string {
  return expr.replace(
    /\$\{([A-Za-z0-9_.]+)(?::[a-z]+)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_match, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      const value = values[name];
      if (value === undefined) throw new Error(`unknown Grafana variable $${name} in ${expr}`);
      return value;
    },
  );
}
