/**
 * Electron main: lifecycle, one window, and the contract wired to ipcMain. Thin on purpose: the
 * Host (engine/) does the work and runs the same way under web mode, the CLI and tests.
 */
import { app, BrowserWindow, ipcMain, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../engine/config';
import { Host } from '../engine/host';
import { registerHostIpc } from './ipc';
import { windowOptions } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
let host: Host | null = null;

if (!app.requestSingleInstanceLock()) app.quit();

app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': ["default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"] } });
  });
  host = await Host.open(resolveConfig({ dataDir: path.join(app.getPath('userData'), 'data') }));
  registerHostIpc(ipcMain, host);
  const win = new BrowserWindow(windowOptions(path.join(here, '../preload/preload.cjs')));
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await win.loadFile(path.join(here, '../renderer/index.html'));
});

app.on('window-all-closed', async () => {
  await host?.close();
  app.quit();
});
