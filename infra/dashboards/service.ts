import {
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  dashboardLink,
  faultAnnotation,
  heatmap,
  jaegerLink,
  logs,
  lokiLink,
  PROMETHEUS,
  runbookLink,
  shareOf,
  timeseries,
} from './kit.ts';

const REQUESTS = 'http_server_request_duration_seconds';
const CALLS = 'http_client_request_duration_seconds';
const SPANS = 'traces_span_metrics';
const OF = 'service_name="$service"';
const ERROR_LOGS = '{service_name="$service"} | severity_text="error"';

/** One service, chosen with `$service`: where in it is it hurting? */
export function serviceDashboard(): DashboardBuilder {
  return new DashboardBuilder('Sightline: Service')
    .uid('sightline-service')
    .description('One service: RED by route, latency, dependencies, database, runtime, error logs.')
    .tags(['sightline'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .annotation(faultAnnotation())
    .withVariable(
      new QueryVariableBuilder('service')
        .label('service')
        .datasource(PROMETHEUS)
        .query(`label_values(${REQUESTS}_count{job="services"}, service_name)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    )
    .link(dashboardLink('Overview', 'sightline-overview'))
    .withRow(new RowBuilder('Requests by route'))
    .withPanel(
      timeseries(
        {
          title: 'Requests per second, by route and status',
          description:
            'What $service is asked to do. 4xx are the caller\u2019s mistakes (validation, not ' +
            'found, declined card); 5xx are ours. A route that suddenly has no traffic may be ' +
            'failing before routing (look at "unmatched").',
          unit: 'reqps',
          width: 8,
          links: [jaegerLink('$service')],
        },
        [
          {
            expr: `sum by (http_route, http_response_status_code) (rate(${REQUESTS}_count{${OF}}[$__rate_interval]))`,
            legend: '{{http_route}} {{http_response_status_code}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Error ratio (5xx), by route',
          description:
            'Share of each route\u2019s answers that were server errors. The route that rises ' +
            'first is where to start; its error logs below and its failing traces in Jaeger say why.',
          unit: 'percentunit',
          width: 8,
          links: [runbookLink('HighErrorRate'), jaegerLink('$service', true)],
        },
        [
          {
            expr: shareOf(
              `${REQUESTS}_count{${OF}, http_response_status_code=~"5.."}`,
              `${REQUESTS}_count{${OF}}`,
              'http_route',
            ),
            legend: '{{http_route}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'p95 duration, by route',
          description:
            'How long the slowest 5% of each route\u2019s requests took. Dots are exemplars: click ' +
            'one to open that request\u2019s trace, then its spans show where the time went.',
          unit: 's',
          width: 8,
          links: [runbookLink('HighLatency')],
        },
        [
          {
            expr: `histogram_quantile(0.95, sum by (http_route, le) (rate(${REQUESTS}_bucket{${OF}}[$__rate_interval])))`,
            legend: '{{http_route}}',
            exemplars: true,
          },
        ],
      ),
    )
    .withPanel(
      heatmap(
        {
          title: 'Duration heatmap, with exemplars',
          description:
            'Every request of $service by how long it took: darker cells hold more requests. ' +
            'Two bands mean two kinds of request (or a cache, or a retry); a band moving up is a ' +
            'slowdown. Exemplar dots open the trace of a request in that cell.',
          unit: 's',
          width: 16,
        },
        {
          expr: `sum by (le) (rate(${REQUESTS}_bucket{${OF}}[$__rate_interval]))`,
          legend: '{{le}}',
          exemplars: true,
        },
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Requests the client abandoned',
          description:
            'Requests whose client hung up before the answer (error_type="aborted"): an ' +
            'upstream timeout or an impatient user. They count in the duration panels too. ' +
            'Non-zero usually comes with a high p99.',
          unit: 'reqps',
          width: 8,
        },
        [
          {
            // 0 for every route with requests, until a client abandons one.
            expr:
              `sum by (http_route) (rate(${REQUESTS}_count{${OF}, error_type="aborted"}[$__rate_interval]))` +
              ` or 0 * sum by (http_route) (rate(${REQUESTS}_count{${OF}}[$__rate_interval]))`,
            legend: '{{http_route}}',
          },
        ],
      ),
    )
    .withRow(new RowBuilder('Calls to its dependencies'))
    .withPanel(
      timeseries(
        {
          title: 'Calls to other services, by callee and status',
          description:
            'Every HTTP call $service made to another service, as $service saw it. Empty for a ' +
            'service that calls no one (user-service, payment-service).',
          unit: 'reqps',
          width: 8,
        },
        [
          {
            expr: `sum by (peer_service, http_response_status_code) (rate(${CALLS}_count{${OF}}[$__rate_interval]))`,
            legend: '{{peer_service}} {{http_response_status_code}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Failed calls to other services, by callee and reason',
          description:
            'Calls that timed out, could not connect (unreachable) or got a 5xx. "unreachable" ' +
            'means the callee is down: check its ServiceDown. "timeout" means it is slow: open its ' +
            'Service dashboard.',
          unit: 'reqps',
          width: 8,
          links: [runbookLink('DependencyFailures'), jaegerLink('$service', true)],
        },
        [
          {
            // 0 for every callee with calls, until one fails.
            expr:
              `sum by (peer_service, error_type) (rate(${CALLS}_count{${OF}, error_type!=""}[$__rate_interval]))` +
              ` or on (peer_service) 0 * sum by (peer_service) (rate(${CALLS}_count{${OF}}[$__rate_interval]))`,
            legend: '{{peer_service}} {{error_type}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'p95 duration of calls to other services',
          description:
            'How long the callees took, measured by the caller (network included). Compare with ' +
            'the callee\u2019s own p95: a big gap is time spent in connection setup or queues.',
          unit: 's',
          width: 8,
        },
        [
          {
            expr: `histogram_quantile(0.95, sum by (peer_service, le) (rate(${CALLS}_bucket{${OF}}[$__rate_interval])))`,
            legend: '{{peer_service}}',
            exemplars: true,
          },
        ],
      ),
    )
    .withRow(new RowBuilder('Database (from the PostgreSQL client spans)'))
    .withPanel(
      timeseries(
        {
          title: 'Database queries per second, by statement and status',
          description:
            'PostgreSQL queries $service ran, from its pg client spans (span metrics computed by ' +
            'the collector). STATUS_CODE_ERROR lines are failed queries. Empty for the gateway, ' +
            'which has no database.',
          unit: 'ops',
          width: 8,
        },
        [
          {
            expr: `sum by (span_name, status_code) (rate(${SPANS}_calls_total{${OF}, db_system_name="postgresql"}[$__rate_interval]))`,
            legend: '{{span_name}} {{status_code}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Database query p95 duration, by statement',
          description:
            'How long the slowest 5% of each kind of query took. A rise here that matches a ' +
            'rise in request duration means the database is the bottleneck (locks, a missing ' +
            'index, pool exhaustion).',
          unit: 'ms',
          width: 8,
        },
        [
          {
            expr: `histogram_quantile(0.95, sum by (span_name, le) (rate(${SPANS}_duration_milliseconds_bucket{${OF}, db_system_name="postgresql"}[$__rate_interval])))`,
            legend: '{{span_name}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Database connections: in use, the most, and requests waiting',
          description:
            'The request pool of $service: connections checked out, the most it opens, and ' +
            'requests queued for one. Waiting requests mean every connection is busy; each waits ' +
            'before its SQL runs, and fails after 5 s. Empty for the gateway, which has no database.',
          unit: 'short',
          width: 8,
          links: [runbookLink('DatabasePoolSaturated')],
        },
        [
          {
            expr: `sum(db_client_connection_count{${OF}, db_client_connection_state="used"})`,
            legend: 'in use',
          },
          { expr: `sum(db_client_connection_max{${OF}})`, legend: 'the most' },
          { expr: `sum(db_client_connection_pending_requests{${OF}})`, legend: 'waiting' },
        ],
      ),
    )
    .withRow(new RowBuilder('Node.js runtime'))
    .withPanel(
      timeseries(
        {
          title: 'Event-loop lag (p99)',
          description:
            'How late the event loop ran scheduled work. Above ~50 ms every request waits: ' +
            'something synchronous (a big JSON, a hash, a sync fs call) is blocking the process.',
          unit: 's',
          width: 8,
          links: [runbookLink('HighEventLoopLag')],
        },
        [{ expr: `nodejs_eventloop_lag_p99_seconds{${OF}}`, legend: 'p99 lag' }],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'CPU (share of one core)',
          description:
            'CPU time the process used per second. Near 100% the single JavaScript thread is ' +
            'saturated: latency rises with load.',
          unit: 'percentunit',
          width: 8,
        },
        [{ expr: `rate(process_cpu_seconds_total{${OF}}[$__rate_interval])`, legend: 'cpu' }],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Time spent in garbage collection, by kind',
          description:
            'Share of wall time V8 spent collecting garbage. Rising major (mark-sweep) GC with a ' +
            'heap near its limit is memory pressure: expect latency spikes, then an out-of-memory crash.',
          unit: 'percentunit',
          width: 8,
        },
        [
          {
            expr: `sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${OF}}[$__rate_interval]))`,
            legend: '{{kind}}',
          },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Heap used and total',
          description:
            'V8 heap in use and reserved. A sawtooth is normal; a floor that keeps rising over ' +
            'hours is a leak. Compose caps old space at 96 MiB.',
          unit: 'bytes',
          width: 8,
        },
        [
          { expr: `nodejs_heap_size_used_bytes{${OF}}`, legend: 'used' },
          { expr: `nodejs_heap_size_total_bytes{${OF}}`, legend: 'total' },
        ],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Resident memory (RSS)',
          description:
            'Memory the process holds, heap and native. Compose limits each service to 208 MiB; ' +
            'close to it, the container is killed (look for restarts and ServiceDown).',
          unit: 'bytes',
          width: 8,
        },
        [{ expr: `process_resident_memory_bytes{${OF}}`, legend: 'rss' }],
      ),
    )
    .withPanel(
      timeseries(
        {
          title: 'Memory kept after garbage collection',
          description:
            'The floor of the heap\u2019s sawtooth (its lowest in use over 5 minutes) plus ' +
            'Buffers held outside the heap, against the same floor over the last hour. The gap ' +
            'is memory that survived every collection: above 24 MiB for 10 minutes, MemoryGrowth fires.',
          unit: 'bytes',
          width: 8,
          links: [runbookLink('MemoryGrowth')],
        },
        [
          {
            expr: `min_over_time(nodejs_heap_size_used_bytes{${OF}}[5m]) + min_over_time(nodejs_external_memory_bytes{${OF}}[5m])`,
            legend: 'kept (5 m floor)',
          },
          {
            expr: `min_over_time(nodejs_heap_size_used_bytes{${OF}}[1h]) + min_over_time(nodejs_external_memory_bytes{${OF}}[1h])`,
            legend: 'kept, lowest of the last hour',
          },
        ],
      ),
    )
    .withRow(new RowBuilder('Error logs'))
    .withPanel(
      logs(
        {
          title: 'Error logs of $service',
          description:
            'Error lines of $service, newest first. Open one: trace_id opens the request in ' +
            'Jaeger; code.file.path, code.line.number and code.function.name say where in the code ' +
            'it failed.',
          unit: 'none',
          links: [lokiLink('Open in Explore', ERROR_LOGS), jaegerLink('$service', true)],
        },
        ERROR_LOGS,
      ),
    );
}
