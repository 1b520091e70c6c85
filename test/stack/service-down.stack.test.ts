import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eventually } from '../support/eventually.ts';
import {
  ALERT_WEBHOOK,
  ALERTMANAGER,
  getJson,
  restartStackProcess,
  stopStackProcess,
} from './stack.ts';

after(() => restartStackProcess('payment-service'));

interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

test('when a service stops, then ServiceDown reaches Alertmanager and its webhook receiver', async () => {
  await stopStackProcess('payment-service');

  // The shipped rule as it is: 1 m `for:`, 15 s evaluation, then Alertmanager's group wait.
  const alert = await eventually(
    'ServiceDown for payment-service in Alertmanager',
    async () => {
      const alerts = await getJson<{ labels: Record<string, string>; status: { state: string } }[]>(
        `${ALERTMANAGER}/api/v2/alerts?filter=alertname%3D%22ServiceDown%22`,
      );
      return alerts.find((a) => a.labels.service_name === 'payment-service');
    },
    180_000,
  );
  assert.equal(alert.status.state, 'active');
  assert.equal(alert.labels.severity, 'critical');

  const notification = await eventually(
    'the webhook receiving ServiceDown',
    async () => {
      const received = await getJson<Notification[]>(`${ALERT_WEBHOOK}/notifications`);
      return received.find((n) =>
        n.alerts.some(
          (a) =>
            a.labels.alertname === 'ServiceDown' && a.labels.service_name === 'payment-service',
        ),
      );
    },
    120_000,
  );
  assert.equal(notification.status, 'firing');
});
