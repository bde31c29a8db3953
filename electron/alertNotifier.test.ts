import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../engine/contract';
import { HostEvents } from '../engine/host/hostEvents';
import { notifyAlerts, type DesktopNotification } from './alertNotifier';

// Electron's binary is absent here: its Notification class is the one stand-in; the events are the Host's own.
function fakeNotifications(supported: boolean) {
  const shown: { title: string; body: string; click: () => void }[] = [];
  class Notification implements DesktopNotification {
    static isSupported = () => supported;
    private readonly listeners = new Map<string, () => void>();
    constructor(private readonly options: { title: string; body: string }) {}
    on(event: 'click' | 'close', listener: () => void) {
      this.listeners.set(event, listener);
      return this;
    }
    show() {
      shown.push({ ...this.options, click: () => this.listeners.get('click')?.() });
    }
  }
  return { Notification, shown };
}

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  ruleId: 'r1',
  kind: 'quarantine_rate',
  name: 'Quarantine rate',
  subject: null,
  message: 'quarantine at 7.5% of 2,000 records over 5 min (above 5%)',
  value: 0.075,
  firedAt: Date.now(),
  resolvedAt: null,
  acknowledgedAt: null,
  ...over,
});

test('desktop app: an alert that fires is a system notification; its click opens the alert centre', () => {
  const events = new HostEvents();
  const { Notification, shown } = fakeNotifications(true);
  let opened = 0;
  const stop = notifyAlerts({ on: events.on.bind(events), Notification, showAlerts: () => opened++ });

  events.emit('alerts.fired', alert());
  // Changes of the list are not notifications: only a rule that began to hold is.
  events.emit('alerts.changed', { part: 'alerts' });
  assert.deepEqual(
    shown.map(({ title, body }) => ({ title, body })),
    [{ title: 'Retail Pulse: Quarantine rate', body: 'quarantine at 7.5% of 2,000 records over 5 min (above 5%)' }],
  );
  assert.equal(opened, 0);
  shown[0].click();
  assert.equal(opened, 1);

  stop();
  events.emit('alerts.fired', alert({ id: 'a2' }));
  assert.equal(shown.length, 1, 'nothing is shown once the notifier is stopped');
});

test('desktop app: where the system has no notifications, nothing is shown and nothing throws', () => {
  const events = new HostEvents();
  const { Notification, shown } = fakeNotifications(false);
  notifyAlerts({ on: events.on.bind(events), Notification, showAlerts: () => undefined });
  events.emit('alerts.fired', alert());
  assert.equal(shown.length, 0);
});
