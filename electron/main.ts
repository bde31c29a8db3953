/**
 * Electron main: lifecycle, one window, and the contract wired to ipcMain. Thin on purpose: the
 * Host (engine/) does the work and runs the same way under web mode, the CLI and tests.
 */
import { app, BrowserWindow, dialog, ipcMain, Notification, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../engine/config';
import { Host } from '../engine/host';
import { loadStartupConfig } from '../engine/settings';
import { notifyAlerts } from './alertNotifier';
import { registerHostIpc } from './ipc';
import { makeShutdown } from './shutdown';
import { allowNavigation, APP_CSP, windowOptions } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
let host: Host | null = null;
let win: BrowserWindow | null = null;

// One instance per data dir (the Host also locks it): a second launch focuses the first window.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.whenReady().then(start, (err: unknown) => fatal(err));
}

async function start(): Promise<void> {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [APP_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      // Links out (docs, Metabase) open in the user's browser, never in an app window.
      if (url.startsWith('https://') || url.startsWith('http://127.0.0.1')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (e, url) => {
      if (!allowNavigation(url)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  const dataDir =
    process.env.RETAIL_PULSE_DATA_DIR ??
    (app.isPackaged ? path.join(app.getPath('userData'), 'data') : defaultDataDir());
  // A saved setting the app cannot use is left out and shown on the Settings page, not a reason to stop.
  const { config, problems } = loadStartupConfig(dataDir);
  host = await Host.open(config, { waitForWarehouse: false, startupProblems: problems, checkServices: true });
  registerHostIpc(ipcMain, host);
  const h = host;
  notifyAlerts({
    on: (name, listener) => h.on(name, listener),
    Notification,
    showAlerts: () => {
      if (!win) return;
      win.show();
      win.focus();
      void win.webContents.executeJavaScript("location.hash = '#/alerts'");
    },
  });
  win = new BrowserWindow(windowOptions(path.join(here, '../preload/preload.cjs')));
  win.once('ready-to-show', () => win?.show());
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await win.loadFile(path.join(here, '../renderer/index.html'));
}

const shutdown = makeShutdown({
  closeHost: () => host?.close() ?? Promise.resolve(),
  // Where quitting would offer to stop the compose stack (the Host has infra.status / infra.stop,
  // engine/infra/): not wired yet, so the app quits without asking and leaves containers running,
  // as `npm run infra -- up` does.
  runningContainers: async () => [],
  askStopContainers: async (names) =>
    (
      await dialog.showMessageBox({
        type: 'question',
        buttons: ['Stop them', 'Leave running'],
        defaultId: 0,
        cancelId: 1,
        message: `Stop the containers Retail Pulse started? (${names.join(', ')})`,
      })
    ).response === 0,
  stopContainers: async () => undefined,
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting) return;
  e.preventDefault();
  quitting = true;
  void shutdown().finally(() => app.exit(0));
});
app.on('window-all-closed', () => app.quit());

function fatal(err: unknown): void {
  dialog.showErrorBox('Retail Pulse could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
}
