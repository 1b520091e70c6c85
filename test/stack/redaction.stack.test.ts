import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { pin, readPins } from '../../infra/stack/pins.ts';
import { eventually } from '../support/eventually.ts';
import { jaegerTrace } from './stack.ts';

const COLLECTOR = `http://127.0.0.1:${pin(readPins(), 'OTELCOL_HTTP_PORT')}`;

const EMAIL = 'alice@example.com';
const CARD = '4111111111111111';

/** One server span, as any OTLP sender could write it: the collector must not trust it. */
function spanWith(traceId: string, attributes: Record<string, string>) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'redaction-probe' } }],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString('hex'),
                name: 'GET /api/users/:id',
                kind: 2,
                startTimeUnixNano: String(now),
                endTimeUnixNano: String(now + 1_000_000n),
                attributes: Object.entries(attributes).map(([key, value]) => ({
                  key,
                  value: { stringValue: value },
                })),
              },
            ],
          },
        ],
      },
    ],
  };
}

test('when a span carries a card number and an email in attributes a caller controls, then Jaeger stores them masked, while fixed-shape attributes pass unscanned', async () => {
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(`${COLLECTOR}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      spanWith(traceId, {
        'url.path': `/api/users/${EMAIL}/cards/${CARD}`,
        'user_agent.original': `probe ${CARD}`,
        'sightline.request.id': CARD,
        'user.password': 'hunter2',
        // Ignored by the redaction processor: the instrumentation writes it from the route
        // template, so nothing a caller sends can land in it.
        'http.route': '/api/users/:id',
      }),
    ),
  });
  assert.equal(response.status, 200, await response.text());

  const span = await eventually(
    'the probe span in Jaeger',
    async () => (await jaegerTrace(traceId))?.[0],
    30_000,
  );
  const tags = span.tags;
  const stored = JSON.stringify(tags);
  assert.ok(!stored.includes(CARD), `a card number reached Jaeger: ${stored}`);
  assert.ok(!stored.includes(EMAIL), `an email reached Jaeger: ${stored}`);
  assert.ok(!stored.includes('hunter2'), `a password reached Jaeger: ${stored}`);
  assert.match(String(tags['url.path']), /^\/api\/users\/\*+\/cards\/\*+$/);
  assert.equal(tags['http.route'], '/api/users/:id');
});
