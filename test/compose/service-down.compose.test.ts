import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eventually } from '../support/eventually.ts';
import { ALERT_WEBHOOK, ALERTMANAGER, getJson, PROMETHEUS } from '../stack/stack.ts';
import { dockerCompose, healthy } from './compose.ts';

const SERVICE = 'payment-service';

interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

const serviceDown = (n: Notification, status: string) =>
  n.status === status &&
  n.alerts.some((a) => a.labels.alertname === 'ServiceDown' && a.labels.service_name === SERVICE);

async function activeInAlertmanager(): Promise<boolean> {
  const alerts = await getJson<{ labels: Record<string, string> }[]>(
    `${ALERTMANAGER}/api/v2/alerts?active=true&filter=alertname%3D%22ServiceDown%22`,
  );
  return alerts.some((a) => a.labels.service_name === SERVICE);
}

// Whatever happens, the container runs again for the tests after this one.
after(async () => {
  await dockerCompose('start', SERVICE);
  await healthy(SERVICE);
});

test('when a service container is stopped, then ServiceDown fires to Alertmanager and its webhook, and clears once it is started', async () => {
  await dockerCompose('stop', SERVICE);

  // The shipped rule as it is: 1 m `for:`, 15 s evaluation, then Alertmanager's group wait.
  await eventually('ServiceDown active in Alertmanager', activeInAlertmanager, 240_000);
  const firing = await eventually(
    'the webhook receiving ServiceDown, firing',
    async () =>
      (await getJson<Notification[]>(`${ALERT_WEBHOOK}/notifications`)).find((n) =>
        serviceDown(n, 'firing'),
      ),
    120_000,
  );
  assert.equal(firing.status, 'firing');

  await dockerCompose('start', SERVICE);
  await healthy(SERVICE);
  await eventually(
    'ServiceDown no longer firing in Prometheus',
    async () => {
      const { data } = await getJson<{ data: { alerts: { labels: Record<string, string> }[] } }>(
        `${PROMETHEUS}/api/v1/alerts`,
      );
      return !data.alerts.some(
        (a) => a.labels.alertname === 'ServiceDown' && a.labels.service_name === SERVICE,
      );
    },
    120_000,
  );
  await eventually(
    'ServiceDown no longer active in Alertmanager',
    async () => !(await activeInAlertmanager()),
    120_000,
  );
  // alertmanager.yml sends resolved notifications too.
  await eventually(
    'the webhook receiving ServiceDown, resolved',
    async () =>
      (await getJson<Notification[]>(`${ALERT_WEBHOOK}/notifications`)).some((n) =>
        serviceDown(n, 'resolved'),
      ),
    180_000,
  );
});
