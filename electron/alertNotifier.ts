import type { Alert, HostApi } from '../engine/contract';

/** One desktop notification, as Electron's Notification shows it. */
export interface DesktopNotification {
  show(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
}

/** What the notifier needs: the Host's events, Electron's Notification class, and the window. */
export interface AlertNotifierDeps {
  on: HostApi['on'];
  Notification: {
    isSupported(): boolean;
    new (options: { title: string; body: string }): DesktopNotification;
  };
  /** Brings the window forward on the alert centre (a click on the notification). */
  showAlerts: () => void;
}

export function alertNotification(a: Alert): { title: string; body: string } {
  return { title: `Retail Pulse: ${a.name}`, body: a.message };
}

/**
 * The desktop app's notifications: each alert that fires is shown by the system (Electron's
 * Notification), even when the window is hidden; a click opens the alert centre. In web mode the
 * page does the same with the browser's Notification API (renderer/src/store/opsState.ts).
 * Returns what stops it.
 */
export function notifyAlerts(deps: AlertNotifierDeps): () => void {
  // Held until closed or clicked: a notification the garbage collector takes loses its click.
  const shown = new Set<DesktopNotification>();
  return deps.on('alerts.fired', (a) => {
    if (!deps.Notification.isSupported()) return;
    const n = new deps.Notification(alertNotification(a));
    shown.add(n);
    n.on('click', () => {
      shown.delete(n);
      deps.showAlerts();
    });
    n.on('close', () => shown.delete(n));
    n.show();
  });
}
