import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  dashboardLink,
  faultAnnotation,
  runbookLink,
  stat,
  timeseries,
  zeroWhenNone,
} from './kit.ts';

const COLLECTOR = 'job="otel-collector"';

/**
 * One collector counter summed over the three signals, e.g. `otelcol_receiver_refused_` +
 * spans / log_records / metric_points. Each rate is taken on its own: rate() drops the metric
 * name, so one rate over several names would yield clashing series. The collector (0.165, as
 * pinned) names its counters without `_total`.
 */
function perSignal(prefix: string, by: string): string {
  const terms = ['spans', 'log_records', 'metric_points'].map(
    (signal) =>
      `label_replace(rate(${prefix}${signal}{${COLLECTOR}}[$__rate_interval]), "signal", "${signal}", "", "")`,
  );
  return `sum by (${by}) (${terms.join(' or ')})`;
}

/** The observability pipeline itself: is anything being lost between the services and us? */
export function pipelineDashboard(): DashboardBuilder {
  return new DashboardBuilder('Sightline: Telemetry pipeline')
    .uid('sightline-pipeline')
    .description(
      'The collector, Prometheus, Jaeger and Alertmanager: what they take in, send on and lose.',
    )
    .tags(['sightline'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .annotation(faultAnnotation())
    .link(dashboardLink('Overview', 'sightline-overview'))
    .withRow(new RowBuilder('Backends'))
    .withPanel(
      stat(
        {
          title: 'Backends up',
          description:
            'Whether Prometheus can scrape each backend (1 up, 0 down). A down collector means ' +
            'no traces, logs or span metrics at all; a down Prometheus means this dashboard is stale.',
          unit: 'bool_yes_no',
          width: 24,
          height: 4,
        },
        [
          {
            expr: 'up{job=~"otel-collector|jaeger|prometheus|alertmanager|loki"}',
            legend: '{{job}}',
            instant: true,
          },
        ],
      ),
    )
    .withRow(new RowBuilder('OpenTelemetry Collector'))
    .withPanel(
      timeseries(
        {
          title: 'Accepted by the collector, per signal',
          description:
            'Spans and log records the services delivered to the collector. A drop to zero with ' +
            'traffic on the services means they cannot reach it (address, network, collector down).',
          unit: 'cps',
          width: 8,
        },
        [
          {
            expr: `sum(rate(otelcol_receiver_accepted_spans{${COLLECTOR}}[$__rate_interval]))`,
            legend: 'spans',
          },
          {
            expr: `sum(rate(otelcol_receiver_accepted_log_records{${COLLECTOR}}[$__rate_interval]))`,
            legend: 'log records',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Refused at the door',
          description:
            'Items the collector refused (memory limiter, or a pipeline that cannot take more). ' +
            'Any non-zero value is data lost unless the sender retried. Fires CollectorRefusingData.',
          unit: 'cps',
          width: 8,
          links: [runbookLink('CollectorRefusingData')],
        },
        [
          {
            expr: zeroWhenNone(perSignal('otelcol_receiver_refused_', 'receiver, signal')),
            legend: '{{receiver}} {{signal}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Refused by the memory limiter',
          description:
            'Spans and log records the memory_limiter processor turned away because the collector ' +
            'was near its memory limit (OTELCOL_MEMORY_LIMIT_MIB). Non-zero: give it memory or send less.',
          unit: 'cps',
          width: 8,
          links: [runbookLink('CollectorRefusingData')],
        },
        [
          {
            expr: zeroWhenNone(perSignal('otelcol_processor_memory_limiter_refused_', 'signal')),
            legend: '{{signal}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Exported, per exporter',
          description:
            'Items each exporter delivered: traces to Jaeger, logs to Loki, span metrics to ' +
            'Prometheus. It should follow "accepted" closely; a gap is data stuck or lost.',
          unit: 'cps',
          width: 8,
        },
        [
          {
            expr: perSignal('otelcol_exporter_sent_', 'exporter'),
            legend: '{{exporter}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Export failures and drops, per exporter',
          description:
            'send failed: the backend refused or did not answer after retries. enqueue failed: ' +
            'the queue was full and items were dropped. Either is data lost; fires CollectorExportFailing.',
          unit: 'cps',
          width: 8,
          links: [runbookLink('CollectorExportFailing')],
        },
        [
          {
            expr: zeroWhenNone(perSignal('otelcol_exporter_send_failed_', 'exporter')),
            legend: '{{exporter}} send failed',
          },
          {
            expr: zeroWhenNone(perSignal('otelcol_exporter_enqueue_failed_', 'exporter')),
            legend: '{{exporter}} dropped (queue full)',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Exporter queue fill',
          description:
            'How full each exporter\u2019s retry queue is. It fills while a backend is away; at ' +
            '100% new items are dropped. A queue that never drains is a backend that never came back.',
          unit: 'percentunit',
          width: 8,
        },
        [
          {
            expr: `max by (exporter) (otelcol_exporter_queue_size{${COLLECTOR}} / otelcol_exporter_queue_capacity{${COLLECTOR}})`,
            legend: '{{exporter}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Collector memory',
          description:
            'Resident memory and Go heap of the collector. The memory limiter starts refusing ' +
            'near OTELCOL_MEMORY_LIMIT_MIB (200 MiB by default).',
          unit: 'bytes',
          width: 12,
        },
        [
          {
            expr: `otelcol_process_memory_rss{${COLLECTOR}}`,
            legend: 'rss',
          },
          { expr: `otelcol_process_runtime_heap_alloc_bytes{${COLLECTOR}}`, legend: 'heap' },
        ],
      ),
    )
    .withRow(new RowBuilder('Jaeger, Prometheus, Alertmanager'))
    .withPanel(
      timeseries(
        {
          title: 'Jaeger: spans received and stored',
          description:
            'Spans Jaeger took from the collector and wrote to its storage. Received but not ' +
            'stored means Jaeger\u2019s storage is failing; neither means the collector cannot reach it.',
          unit: 'cps',
          width: 12,
          links: [runbookLink('CollectorExportFailing')],
        },
        [
          {
            // Jaeger 2.13's embedded collector still adds `_total`.
            expr: 'sum(rate(otelcol_receiver_accepted_spans_total{job="jaeger"}[$__rate_interval]))',
            legend: 'received',
          },
          {
            expr: 'sum(rate(otelcol_exporter_sent_spans_total{job="jaeger"}[$__rate_interval]))',
            legend: 'stored',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Prometheus: samples ingested',
          description:
            'Samples Prometheus appended (scrapes, span metrics over OTLP, rules). A drop means ' +
            'scrapes or the collector\u2019s span metrics stopped arriving.',
          unit: 'cps',
          width: 12,
        },
        [
          {
            expr: 'sum(rate(prometheus_tsdb_head_samples_appended_total[$__rate_interval]))',
            legend: 'appended',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Prometheus: rule evaluation failures, by group',
          description:
            'Rule evaluations that failed. Should be zero: a failing group is alerts that cannot ' +
            'fire and SLO recordings with gaps. Fires PrometheusRuleEvaluationFailures.',
          unit: 'cps',
          width: 12,
          links: [runbookLink('PrometheusRuleEvaluationFailures')],
        },
        [
          {
            expr: 'sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total[$__rate_interval]))',
            legend: '{{rule_group}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Alertmanager: notifications sent and failed',
          description:
            'Notifications Alertmanager tried to deliver, and those that failed, by integration. ' +
            'Failures mean alerts fire but nobody is told. Fires AlertmanagerNotificationsFailing.',
          unit: 'cps',
          width: 12,
          links: [runbookLink('AlertmanagerNotificationsFailing')],
        },
        [
          {
            expr: 'sum by (integration) (rate(alertmanager_notifications_total[$__rate_interval]))',
            legend: '{{integration}} sent',
          },
          {
            expr: 'sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))',
            legend: '{{integration}} failed',
          },
        ],
      ),
    );
}
