import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminBaseUrl, adminToken } from '../../infra/faults/admin-access.ts';
import { syntaxErrors } from '../../infra/queries/grammar.ts';
import { eventually } from '../support/eventually.ts';
import { deliveredLogs, newTraceparent, placeOrder } from './stack.ts';

/** What a person types in Grafana to find every order the gateway timeout failed. */
const QUERY = '{service_name="payment-service"} |= "Payment gateway timeout"';

test('when paymentGatewayTimeout fails an order, then {service_name="payment-service"} |= "Payment gateway timeout" finds its error record in what the collector delivers for Loki', async () => {
  assert.deepEqual(syntaxErrors('logql', QUERY), []);
  const fault = `${adminBaseUrl('payment-service')}/admin/faults/paymentGatewayTimeout`;
  const authorization = `Bearer ${adminToken().value}`;
  // placeOrder orders a T-shirt. A short wait, and a lifetime that ends the fault even if this
  // test does not get to clear it.
  const on = await fetch(fault, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ sku: 'SKU-TEE-001', delayMs: 200, for: '1m' }),
  });
  assert.equal(on.status, 200, await on.text());
  const { traceparent, traceId } = newTraceparent();
  try {
    const order = await placeOrder(traceparent);
    assert.equal(order.status, 503, JSON.stringify(order.body));
  } finally {
    await fetch(fault, { method: 'DELETE', headers: { authorization } });
  }

  // The stand-in answers only the drills' LogQL query, so the selector and the line filter are
  // applied here, to what Loki would index: `service.name` is the label `service_name`, and the
  // record's body is the line.
  const record = await eventually(
    'the error record at the Loki stand-in',
    async () =>
      (await deliveredLogs(traceId)).find(
        (r) =>
          r.resource['service.name'] === 'payment-service' &&
          String(r.body).includes('Payment gateway timeout'),
      ),
    30_000,
  );
  assert.equal(record.body, 'Payment gateway timeout');
  assert.equal(record.severityText, 'error');
  assert.equal(record.attributes['http.request.method'], 'POST');
  assert.equal(record.attributes['http.route'], '/api/payments');
});
