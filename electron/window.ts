import type { BrowserWindowConstructorOptions } from 'electron';

/** The CSP of every page the window loads (also in renderer/index.html for web mode). */
export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** The window's security settings, kept apart so a test can check them without the binary. */
export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Retail Pulse',
    show: false,
    backgroundColor: '#0f1419',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Navigation away from the app is refused: only the dev server (hot reload) or the app's files. */
export function allowNavigation(url: string, devUrl = process.env.ELECTRON_RENDERER_URL): boolean {
  return devUrl !== undefined && devUrl !== '' && url.startsWith(devUrl);
}
