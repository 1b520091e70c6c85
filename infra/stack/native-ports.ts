/**
 * Ports that only the native stack needs. In compose every backend has its own network
 * namespace; natively they share one host, and Jaeger v2 (itself a collector) would take
 * the collector's ports (OTLP 4317/4318, health 13133, metrics 8888). So natively Jaeger
 * moves to these, through the ${env:...} variables of infra/jaeger/config.yaml. The ports
 * users open (Jaeger UI 16686 and the rest) are the same as compose's, from .env.
 */
export const NATIVE_PORTS = {
  jaegerOtlpGrpc: 14317,
  jaegerOtlpHttp: 14318,
  jaegerHealth: 14133,
  jaegerMetrics: 14269,
} as const;
