import type { HostApi, HostBridge } from '../../../engine/contract';
import { bridgeApi } from './ipcBridge';
import { connectWebSocket } from './wsClient';

declare global {
  interface Window {
    /** Set by the Electron preload (electron/preload.ts); absent in web mode. */
    api?: HostBridge;
  }
}

/** One HostApi either way: the preload's window.api in Electron, else the web-mode socket with the URL's token. */
export function hostApi(): HostApi {
  if (window.api) return bridgeApi(window.api);
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return connectWebSocket(`${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`);
}
