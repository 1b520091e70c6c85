import {
  DashboardBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  dashboardLink,
  faultAnnotation,
  jaegerLink,
  logs,
  lokiLink,
  runbookLink,
  shareOf,
  stat,
  table,
  timeseries,
  zeroWhenNone,
} from './kit.ts';

const REQUESTS = 'http_server_request_duration_seconds';
const ERROR_LOGS = '{service_name=~".+"} | severity_text="error"';

/** "Is it healthy, and where is it hurting?" in one screen. */
export function overviewDashboard(): DashboardBuilder {
  return new DashboardBuilder('Sightline: Overview')
    .uid('sightline-overview')
    .description('Every service at a glance: traffic, errors, latency, SLOs, alerts, error logs.')
    .tags(['sightline'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .annotation(faultAnnotation())
    .link(dashboardLink('Service', 'sightline-service'))
    .link(dashboardLink('Business', 'sightline-business'))
    .link(dashboardLink('Telemetry pipeline', 'sightline-pipeline'))
    .withRow(new RowBuilder('Gateway objectives (SLOs)'))
    .withPanel(
      stat(
        {
          title: 'Availability, last 3 days (objective 99.5%)',
          description:
            'Share of requests through the gateway answered without a 5xx over the last 3 days. ' +
            'Red below 99.5%: users are getting errors more often than promised.',
          unit: 'percentunit',
          links: [runbookLink('GatewayAvailabilityBudgetBurn')],
        },
        [{ expr: '1 - slo:sli_error:ratio_rate3d{slo="gateway-availability"}', instant: true }],
      ).thresholds(thresholds(0.995)),
    )
    .withPanel(
      stat(
        {
          title: 'Fast enough, last 3 days (objective 99% under 500 ms)',
          description:
            'Share of requests through the gateway answered within 500 ms over the last 3 days. ' +
            'Red below 99%: too many users wait too long.',
          unit: 'percentunit',
          links: [runbookLink('GatewayLatencyBudgetBurn')],
        },
        [{ expr: '1 - slo:sli_error:ratio_rate3d{slo="gateway-latency"}', instant: true }],
      ).thresholds(thresholds(0.99)),
    )
    .withPanel(
      stat(
        {
          title: 'Error budget left, at the last 3 days\u2019 pace',
          description:
            'How much of each objective\u2019s error budget is left if the last 3 days were the whole ' +
            'period: 100% means no errors, 0% or below means the objective is missed. A falling ' +
            'value is the moment to slow releases down.',
          unit: 'percentunit',
        },
        [
          {
            expr: '1 - slo:sli_error:ratio_rate3d / slo:error_budget:ratio',
            legend: '{{slo}}',
            instant: true,
          },
        ],
      ).thresholds(thresholds(0)),
    )
    .withPanel(
      timeseries(
        {
          title: 'Burn rate (1 h and 5 min windows)',
          description:
            'How fast each error budget is being spent: 1\u00d7 spends exactly the budget in 30 days. ' +
            'Above 14.4\u00d7 on both windows pages (GatewayAvailabilityBudgetBurn, ' +
            'GatewayLatencyBudgetBurn). A 5 min line far above the 1 h line is a fresh incident.',
          unit: 'suffix:\u00d7',
          width: 6,
          height: 5,
        },
        [
          { expr: 'slo:sli_error:ratio_rate1h / slo:error_budget:ratio', legend: '{{slo}} 1h' },
          { expr: 'slo:sli_error:ratio_rate5m / slo:error_budget:ratio', legend: '{{slo}} 5m' },
        ],
      ),
    )
    .withRow(new RowBuilder('Services: rate, errors, duration'))
    .withPanel(
      timeseries(
        {
          title: 'Requests per second, by service',
          description:
            'Requests each service handled. A service dropping to zero while the gateway still ' +
            'has traffic is down or unreachable; a sudden rise is a retry storm or a load test.',
          unit: 'reqps',
          width: 8,
        },
        [
          {
            expr: `sum by (service_name) (rate(${REQUESTS}_count{job="services"}[$__rate_interval]))`,
            legend: '{{service_name}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Error ratio (5xx), by service',
          description:
            'Share of each service\u2019s answers that were server errors. Any sustained value above ' +
            '5% fires HighErrorRate. When several services rise together, look at the deepest ' +
            'one in the call chain first: errors travel upwards.',
          unit: 'percentunit',
          width: 8,
          links: [runbookLink('HighErrorRate')],
        },
        [
          {
            expr: shareOf(
              `${REQUESTS}_count{job="services", http_response_status_code=~"5.."}`,
              `${REQUESTS}_count{job="services"}`,
              'service_name',
            ),
            legend: '{{service_name}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'p95 and p99 duration, by service',
          description:
            'How long the slowest 5% and 1% of requests took. Dots are exemplars: click one to ' +
            'open that very request\u2019s trace in Jaeger. A p99 far above p95 means a few ' +
            'requests wait on something (a lock, a timeout, a slow dependency).',
          unit: 's',
          width: 8,
          links: [runbookLink('HighLatency')],
        },
        [
          {
            expr: `histogram_quantile(0.95, sum by (service_name, le) (rate(${REQUESTS}_bucket{job="services"}[$__rate_interval])))`,
            legend: '{{service_name}} p95',
            exemplars: true,
          },
          {
            expr: `histogram_quantile(0.99, sum by (service_name, le) (rate(${REQUESTS}_bucket{job="services"}[$__rate_interval])))`,
            legend: '{{service_name}} p99',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Gateway: requests it could not pass on',
          description:
            'Requests the gateway failed to forward, by upstream and reason (unreachable, ' +
            'timeout). Non-zero means a service behind the gateway is down or too slow; the ' +
            'user got a 502 or 504.',
          unit: 'reqps',
          links: [runbookLink('DependencyFailures'), jaegerLink('api-gateway', true)],
        },
        [
          {
            expr: zeroWhenNone(
              'sum by (upstream, reason) (rate(gateway_upstream_failures_total[$__rate_interval]))',
            ),
            legend: '{{upstream}} {{reason}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Gateway: requests refused by the rate limit',
          description:
            'Requests the gateway turned away with 429 because a client sent too many. A steady ' +
            'trickle is the limit doing its job; a flood from one client is abuse or a broken retry loop.',
          unit: 'reqps',
        },
        [
          {
            expr: zeroWhenNone('sum(rate(gateway_rate_limited_total[$__rate_interval]))'),
            legend: 'rate limited',
          },
        ],
      ),
    )
    .withRow(new RowBuilder('Alerts and error logs'))
    .withPanel(
      stat(
        {
          title: 'Firing alerts',
          description:
            'How many alerts fire now, from Prometheus: 0 is healthy. The table beside it ' +
            'names them; Alertmanager (port 9093) shows what was sent.',
          unit: 'none',
          width: 4,
          height: 8,
          links: [runbookLink('ServiceDown')],
        },
        [{ expr: 'count(ALERTS{alertstate="firing"}) or vector(0)', instant: true }],
      ).thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ]),
      ),
    )
    .withPanel(
      table(
        {
          title: 'Which alerts fire',
          description:
            'The alerts firing now, with their labels. Empty is good. Each alert\u2019s runbook ' +
            'is in docs/runbooks/<alertname>.md.',
          unit: 'none',
          width: 8,
          links: [runbookLink('ServiceDown')],
        },
        [{ expr: 'ALERTS{alertstate="firing"}', instant: true, format: 'table' }],
      ),
    )
    .withPanel(
      logs(
        {
          title: 'Recent error logs, all services',
          description:
            'Error lines from every service, newest first. Open a line: its trace_id links to ' +
            'the whole request in Jaeger, and error.type, code.file.path and code.line.number say where ' +
            'it was thrown.',
          unit: 'none',
          width: 12,
          links: [lokiLink('Open in Explore', ERROR_LOGS)],
        },
        ERROR_LOGS,
      ),
    );
}

/** Red below `threshold`, green from it. */
export function thresholds(threshold: number) {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value: threshold, color: 'green' },
  ]);
}
