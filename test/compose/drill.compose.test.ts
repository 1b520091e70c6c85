/**
 * The walkthrough's drill against `docker compose up`, exactly as a trainer runs it: the token
 * compose was started with in SIGHTLINE_ADMIN_TOKEN (run.ts exports one, as a user does),
 * `npm run drill -- payment-gateway-timeout` in a process of its own, the rules of classroom
 * mode (docker-compose.classroom.yml). The alert reaches Alertmanager, an exemplar leads to
 * the trace in Jaeger, the trace's log lines come from Loki's address (the stand-in), and the
 * thread ends at the line of code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drillNamed } from '../../infra/drills/drills.ts';
import { runDrill } from '../stack/stack.ts';

test('npm run drill -- payment-gateway-timeout against compose: fault set with the compose token, paged, and the thread leads through Jaeger and Loki to the code', async () => {
  const expected = drillNamed('payment-gateway-timeout')!;
  assert.ok(process.env.SIGHTLINE_ADMIN_TOKEN, 'run.ts starts compose with an admin token');
  const result = await runDrill(expected.name, process.env);
  assert.match(result.output, /admin token: from SIGHTLINE_ADMIN_TOKEN/);
  assert.equal(result.rules, 'classroom');
  assert.match(result.series, /^ALERTS\{alertname="HighErrorRate", service_name="payment-service"/);
  assert.match(result.exemplar?.traceId ?? '', /^[0-9a-f]{32}$/);
  assert.equal(result.span?.service, 'payment-service');
  assert.ok(result.span?.error, 'the span is an ERROR span');
  assert.equal(result.logSource, 'loki');
  assert.ok(result.logServices.includes('payment-service'));
  assert.equal(result.code.file, expected.code.file);
  assert.ok(result.code.text.includes(expected.code.text), result.code.text);
});
