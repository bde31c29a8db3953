import type { BrowserWindowConstructorOptions } from 'electron';

/** The window's security settings, kept apart so a test can check them without the binary. */
export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    title: 'Retail Pulse',
    webPreferences: { preload, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
  };
}
