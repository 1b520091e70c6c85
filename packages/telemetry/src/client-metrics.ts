import client from 'prom-client';
import { HTTP_DURATION_BUCKETS, registry, sampledSpanContext, traceExemplar } from './metrics.ts';

type ClientLabels =
  'peer_service' | 'http_request_method' | 'http_response_status_code' | 'error_type';

/**
 * `http.client.request.duration`: every call one service makes to another, as the caller saw
 * it. `peer_service` names the called service (stable across compose and the native stack,
 * unlike `server.address`), so a dashboard shows "calls to payment-service and their failures"
 * from the caller's side, where a dead callee can no longer report anything.
 */
const clientDuration = new client.Histogram<ClientLabels>({
  name: 'http_client_request_duration_seconds',
  help: 'Duration of HTTP calls this service made to other services.',
  labelNames: ['peer_service', 'http_request_method', 'http_response_status_code', 'error_type'],
  buckets: HTTP_DURATION_BUCKETS,
  enableExemplars: true,
  registers: [registry],
});

export interface CallOutcome {
  status?: number;
  /** Why there was no usable answer: `timeout`, `unreachable`, or the 5xx status. */
  errorType?: string;
}

/** Starts timing one call; the returned function records it once its outcome is known. */
export function startClientCall(
  peerService: string,
  method: string,
): (outcome: CallOutcome) => void {
  const started = process.hrtime.bigint();
  const spanContext = sampledSpanContext();
  return ({ status, errorType }) => {
    const labels: Partial<Record<ClientLabels, string | number>> = {
      peer_service: peerService,
      http_request_method: method,
    };
    if (status !== undefined) labels.http_response_status_code = status;
    if (errorType !== undefined) labels.error_type = errorType;
    else if (status !== undefined && status >= 500) labels.error_type = String(status);
    // A failed call is an error span, which keeps its trace; how long it took is the called
    // service's objective to judge, not this one's.
    const exemplar = traceExemplar(spanContext, {
      failed: labels.error_type !== undefined,
      seconds: 0,
    });
    clientDuration.observe({
      labels,
      value: Number(process.hrtime.bigint() - started) / 1e9,
      exemplarLabels: exemplar as Record<ClientLabels, string>,
    });
  };
}
