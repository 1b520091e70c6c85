import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { serviceIdentity } from './service-identity.ts';

/**
 * Runs `fn` inside a span named for a meaningful domain step (`PaymentProvider.charge`). HTTP,
 * Express and pg spans come from instrumentation; this is for the steps between them. A throw
 * is recorded on the span and rethrown; deciding whether it is an incident is the edge's job.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(serviceIdentity().name, serviceIdentity().version);
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof Error) span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
