import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { conventionalLogAttributes, conventionalLoggerProvider } from '../src/log-attributes.ts';

test('when a request line goes over OTLP, then its fields carry the HTTP conventions and our request attributes', () => {
  assert.deepEqual(
    conventionalLogAttributes({
      'service.name': 'order-service',
      request_id: 'req-1',
      req: { method: 'GET', url: '/api/orders?userId=u1' },
      route: '/api/orders',
      res: { status_code: 200 },
      duration_ms: 12,
    }),
    {
      'http.request.method': 'GET',
      'url.path': '/api/orders',
      'url.query': 'userId=u1',
      'http.response.status_code': 200,
      'http.route': '/api/orders',
      'sightline.request.id': 'req-1',
      'sightline.request.duration_ms': 12,
    },
  );
});

test('when an error line goes over OTLP, then it names the exception and the code location by the current conventions', () => {
  assert.deepEqual(
    conventionalLogAttributes({
      'error.type': 'CardProviderFailed',
      'error.message': 'Card provider failed',
      'error.stack': 'CardProviderFailed: Card provider failed\n    at charge',
      'code.filepath': '/app/services/payment-service/src/clients/card-provider.ts',
      'code.lineno': 44,
      'code.function': 'charge',
    }),
    {
      'error.type': 'CardProviderFailed',
      'exception.type': 'CardProviderFailed',
      'exception.message': 'Card provider failed',
      'exception.stacktrace': 'CardProviderFailed: Card provider failed\n    at charge',
      'code.file.path': '/app/services/payment-service/src/clients/card-provider.ts',
      'code.line.number': 44,
      'code.function.name': 'charge',
    },
  );
});

test('when a fault audit line goes over OTLP, then its options stay one JSON string', () => {
  assert.deepEqual(
    conventionalLogAttributes({
      fault: 'paymentFailure',
      fault_action: 'on',
      fault_options: { percent: 50 },
      fault_until: '2026-11-24T05:30:00.000Z',
      admin_token_name: 'trainer',
    }),
    {
      'sightline.fault.name': 'paymentFailure',
      'sightline.fault.action': 'on',
      'sightline.fault.options': '{"percent":50}',
      'sightline.fault.until': '2026-11-24T05:30:00.000Z',
      'sightline.admin.token.name': 'trainer',
    },
  );
});

test('when a business event line goes over OTLP, then its facts carry sightline names and its event becomes the EventName', () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });

  conventionalLoggerProvider(provider)
    .getLogger('@opentelemetry/instrumentation-pino')
    .emit({
      body: 'order placed',
      attributes: {
        event: 'sightline.order.placed',
        order_id: 'o-1',
        skus: ['SKU-TEE-001', 'SKU-MUG-002'],
        customer_ref: 'u-1',
      },
    });

  const [record] = exporter.getFinishedLogRecords();
  assert.equal(record?.eventName, 'sightline.order.placed');
  assert.equal(record?.body, 'order placed');
  assert.deepEqual(record?.attributes, {
    'sightline.order.id': 'o-1',
    'sightline.order.skus': ['SKU-TEE-001', 'SKU-MUG-002'],
    'sightline.customer.ref': 'u-1',
  });
});
