/**
 * The few shapes every Sightline panel is built from, so that each dashboard file reads as a
 * list of questions and queries. Every panel must say what it measures (a unit) and what to
 * look for (a description): these dashboards teach as much as they monitor.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { LogsSortOrder, ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardLinkBuilder,
  type DashboardLink,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as HeatmapPanel } from '@grafana/grafana-foundation-sdk/heatmap';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import {
  DataqueryBuilder as PromQuery,
  PromQueryFormat,
} from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** The uids grafana/provisioning/datasources/datasources.yaml gives the datasources. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
export const LOKI: DataSourceRef = { type: 'loki', uid: 'loki' };

/** Where a user's browser reaches Jaeger's UI under `docker compose up` (.env JAEGER_UI_PORT). */
const JAEGER_UI = 'http://localhost:16686';

export interface Query {
  expr: string;
  legend?: string;
  /** Exemplars on: a dot on the graph per traced request, which opens the trace in Jaeger. */
  exemplars?: boolean;
  instant?: boolean;
  format?: 'table' | 'heatmap';
}

export function promQueries(queries: Query[]): PromQuery[] {
  return queries.map((q, i) => {
    const builder = new PromQuery()
      .datasource(PROMETHEUS)
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    if (q.exemplars) builder.exemplar(true);
    if (q.instant) builder.instant();
    else builder.range();
    if (q.format === 'table') builder.format(PromQueryFormat.Table);
    if (q.format === 'heatmap') builder.format(PromQueryFormat.Heatmap);
    return builder;
  });
}

/** `fault_active` is 1 while a failure-drill fault is on in a service (faults/flags.json). */
/**
 * A failure, refusal or drop counter reads 0, not "No data", while nothing has failed: a
 * counter with labels has no series until its first increment, so Grafana would have nothing
 * to draw. `or on() vector(0)` adds one 0 series exactly when the query has none (the
 * recording rules of prometheus/rules/slo-gateway.yml do the same).
 */
export function zeroWhenNone(expr: string): string {
  return `${expr} or on() vector(0)`;
}

/**
 * The share of `part` in `whole`, both summed by `by`: 0, not absent, for every `by` value
 * that has traffic but no `part` yet (a 5xx ratio with no 5xx).
 */
export function shareOf(part: string, whole: string, by: string): string {
  const sum = (selector: string) => `sum by (${by}) (rate(${selector}[$__rate_interval]))`;
  return `(${sum(part)} or 0 * ${sum(whole)}) / ${sum(whole)}`;
}

export const FAULT_ANNOTATION_EXPR = 'fault_active{job="services"}';

/**
 * When a failure-drill fault was on, shaded on every time series panel: a region from the
 * moment it was switched on to the moment it went off, named by fault and service. A graph
 * that changes inside a region changed because of that fault; outside one, look elsewhere.
 */
export function faultAnnotation(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('Faults')
    .datasource(PROMETHEUS)
    .enable(true)
    .iconColor('red')
    .expr(FAULT_ANNOTATION_EXPR)
    .target(new PromQuery().datasource(PROMETHEUS).refId('Anno').expr(FAULT_ANNOTATION_EXPR))
    .titleFormat('fault {{fault}} on in {{service_name}}')
    .tagKeys('service_name,fault');
}

export function lokiQuery(expr: string): LokiQuery {
  return new LokiQuery().datasource(LOKI).refId('A').expr(expr).maxLines(200);
}

/** The runbook of an alert, served by Grafana from docs/runbooks (compose mounts it). */
export function runbookLink(alert: string): cog.Builder<DashboardLink> {
  return new DashboardLinkBuilder(`Runbook: ${alert}`)
    .url(`/public/runbooks/${alert}.md`)
    .targetBlank(true);
}

/** Jaeger's search for one service's traces, errors first. */
export function jaegerLink(service: string, errorsOnly = false): cog.Builder<DashboardLink> {
  const tags = errorsOnly ? `&tags=${encodeURIComponent('{"error":"true"}')}` : '';
  return new DashboardLinkBuilder(`Traces of ${service} in Jaeger${errorsOnly ? ' (errors)' : ''}`)
    .url(`${JAEGER_UI}/search?service=${service}${tags}`)
    .targetBlank(true);
}

/**
 * Grafana Explore on Loki with `expr` (keeping `$service` and the time range), where each
 * line's trace_id opens its trace.
 */
export function lokiLink(title: string, expr: string): cog.Builder<DashboardLink> {
  const panes = {
    a: {
      datasource: LOKI.uid,
      queries: [{ refId: 'A', datasource: LOKI, expr }],
      range: { from: '${__from}', to: '${__to}' },
    },
  };
  const encoded = encodeURIComponent(JSON.stringify(panes))
    .replaceAll('%24service', '$service')
    .replaceAll('%24%7B__from%7D', '${__from}')
    .replaceAll('%24%7B__to%7D', '${__to}');
  return new DashboardLinkBuilder(title).url(`/explore?schemaVersion=1&panes=${encoded}`);
}

/** Another Sightline dashboard, keeping the time range and `$service`. */
export function dashboardLink(title: string, uid: string): cog.Builder<DashboardLink> {
  return new DashboardLinkBuilder(title).url(`/d/${uid}`).keepTime(true).includeVars(true);
}

export interface PanelSpec {
  title: string;
  /** What the panel shows and what to look for in it. */
  description: string;
  /** A Grafana unit id (`s`, `reqps`, `percentunit`, `bytes`, …). */
  unit: string;
  links?: cog.Builder<DashboardLink>[];
  /** Width in grid columns (of 24) and height in rows. */
  width?: number;
  height?: number;
}

export function timeseries(spec: PanelSpec, queries: Query[]): TimeseriesPanel {
  const panel = new TimeseriesPanel()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(PROMETHEUS)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .fillOpacity(10);
  for (const target of promQueries(queries)) panel.withTarget(target);
  if (spec.links) panel.links(spec.links);
  return panel;
}

export function stat(spec: PanelSpec, queries: Query[]): StatPanel {
  const panel = new StatPanel()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(PROMETHEUS)
    .span(spec.width ?? 6)
    .height(spec.height ?? 5)
    // The latest value: these answer "how is it now?".
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  for (const target of promQueries(queries)) panel.withTarget(target);
  if (spec.links) panel.links(spec.links);
  return panel;
}

export function table(spec: PanelSpec, queries: Query[]): TablePanel {
  const panel = new TablePanel()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(PROMETHEUS)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  for (const target of promQueries(queries)) panel.withTarget(target);
  if (spec.links) panel.links(spec.links);
  return panel;
}

export function heatmap(spec: PanelSpec, query: Query): HeatmapPanel {
  const panel = new HeatmapPanel()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(PROMETHEUS)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .calculate(false)
    .withTarget(promQueries([{ ...query, format: 'heatmap' }])[0]!);
  if (spec.links) panel.links(spec.links);
  return panel;
}

export function logs(spec: PanelSpec, expr: string): LogsPanel {
  const panel = new LogsPanel()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(LOKI)
    .span(spec.width ?? 24)
    .height(spec.height ?? 10)
    .showTime(true)
    .enableLogDetails(true)
    .sortOrder(LogsSortOrder.Descending)
    .withTarget(lokiQuery(expr));
  if (spec.links) panel.links(spec.links);
  return panel;
}
