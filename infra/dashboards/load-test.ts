import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboardLink, faultAnnotation, jaegerLink, timeseries } from './kit.ts';

/**
 * k6's own results (sent by Prometheus remote write, `-o experimental-prometheus-rw`, with
 * p95/p99 trend stats) next to what the services saw. k6 names every metric `k6_…`; its trend
 * stats arrive in seconds, one series per stat (`k6_http_req_duration_p95`), and each series
 * carries the request's `name` tag (load-tests/journey.ts), never a raw URL.
 */
const REQUESTS = 'http_server_request_duration_seconds';

/** The same numbers from both sides: if k6's p95 is far above the gateway's, the time is spent before the gateway. */
export function loadTestDashboard(): DashboardBuilder {
  return new DashboardBuilder('Sightline: Load test')
    .uid('sightline-load-test')
    .description(
      'A k6 run (load-tests/, `docker compose --profile load run --rm k6 run load-tests/<scenario>.ts`) ' +
        'as k6 saw it, next to the services’ RED metrics and CPU.',
    )
    .tags(['sightline', 'k6'])
    .time({ from: 'now-30m', to: 'now' })
    .refresh('10s')
    .annotation(faultAnnotation())
    .link(dashboardLink('Overview', 'sightline-overview'))
    .link(dashboardLink('Service', 'sightline-service'))
    .link(jaegerLink('api-gateway'))
    .withRow(new RowBuilder('What k6 sees'))
    .withPanel(
      timeseries(
        {
          title: 'k6: requests per second, by endpoint',
          description:
            'Requests k6 sent, by the `name` tag of the journey step. Under an arrival-rate ' +
            'executor this follows the scenario’s stages; a rate below the stage’s target means k6 ' +
            'ran out of virtual users because answers came back too slowly.',
          unit: 'reqps',
        },
        [
          {
            expr: 'sum by (name) (rate(k6_http_reqs_total[$__rate_interval]))',
            legend: '{{name}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'k6: p95 and p99 duration, by endpoint',
          description:
            'Time from k6 sending a request to the last byte of its answer, as the scenarios’ ' +
            'thresholds judge it (load-tests/options.ts). Each k6 request carries its own ' +
            'traceparent, so a slow one is a trace in Jaeger.',
          unit: 's',
        },
        [
          { expr: 'max by (name) (k6_http_req_duration_p95)', legend: 'p95 {{name}}' },
          { expr: 'max by (name) (k6_http_req_duration_p99)', legend: 'p99 {{name}}' },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'k6: failed requests and failed checks',
          description:
            'Share of requests that failed (a status other than 200, 201 or the 402 of a declined ' +
            'card) and of checks that did not hold. The scenarios fail above 1%.',
          unit: 'percentunit',
        },
        [
          { expr: 'avg(k6_http_req_failed_rate)', legend: 'failed requests' },
          { expr: '1 - avg(k6_checks_rate)', legend: 'failed checks' },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'k6: virtual users and journeys per second',
          description:
            'Virtual users k6 holds, and journeys started per second. Virtual users climbing ' +
            'while journeys stay flat is the system slowing down: each journey takes longer.',
          unit: 'short',
        },
        [
          { expr: 'sum(k6_vus)', legend: 'virtual users' },
          { expr: 'sum(rate(k6_iterations_total[$__rate_interval]))', legend: 'journeys/s' },
        ],
      ),
    )
    .withRow(new RowBuilder('What the services see'))
    .withPanel(
      timeseries(
        {
          title: 'Gateway requests per second, by route and status',
          description:
            'The same traffic as the gateway counted it. It should match k6’s rate; 429s mean the ' +
            'gateway’s rate limit (RATE_LIMIT_MAX) is what the test is measuring.',
          unit: 'reqps',
        },
        [
          {
            expr: `sum by (http_route, http_response_status_code) (rate(${REQUESTS}_count{service_name="api-gateway"}[$__rate_interval]))`,
            legend: '{{http_route}} {{http_response_status_code}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'p95 duration, by service',
          description:
            'Each service’s p95. The service whose p95 rises first under load is where the ' +
            'journey’s time goes; its dots (exemplars) open a slow trace.',
          unit: 's',
        },
        [
          {
            expr: `histogram_quantile(0.95, sum by (service_name, le) (rate(${REQUESTS}_bucket[$__rate_interval])))`,
            legend: '{{service_name}}',
            exemplars: true,
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: '5xx ratio, by service',
          description:
            'Share of each service’s answers that were 5xx. Under load, 503s and 504s here are ' +
            'timeouts and refused work; they should stay at zero in the load scenario.',
          unit: 'percentunit',
        },
        [
          {
            expr: `sum by (service_name) (rate(${REQUESTS}_count{http_response_status_code=~"5.."}[$__rate_interval])) / sum by (service_name) (rate(${REQUESTS}_count[$__rate_interval]))`,
            legend: '{{service_name}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'CPU, by service',
          description:
            'CPU each service uses, in cores. A Node.js service runs JavaScript on one thread: ' +
            'the first one near 1 core is the one that saturates, whatever the machine has left.',
          unit: 'short',
        },
        [
          {
            expr: 'sum by (service_name) (rate(process_cpu_seconds_total{job="services"}[$__rate_interval]))',
            legend: '{{service_name}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Event loop lag p99, by service',
          description:
            'How late the event loop ran timers. It climbs with CPU saturation: requests queue ' +
            'behind each other before any code of ours runs for them.',
          unit: 's',
        },
        [
          {
            expr: 'max by (service_name) (nodejs_eventloop_lag_p99_seconds{job="services"})',
            legend: '{{service_name}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Resident memory, by service',
          description:
            'Resident memory under load. A soak run should see it level off; a steady climb ' +
            'over hours is a leak.',
          unit: 'bytes',
        },
        [
          {
            expr: 'sum by (service_name) (process_resident_memory_bytes{job="services"})',
            legend: '{{service_name}}',
          },
        ],
      ),
    );
}
