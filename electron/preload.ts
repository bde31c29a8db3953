import { contextBridge, ipcRenderer } from 'electron';
import type { Commands, CommandName, Events, EventName, HostApi } from '../engine/contract';
import type { ErrorInfo } from '../engine/errors';

/** An error from the Host, with its code, as the renderer sees it over either transport. */
class HostError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = 'HostError';
  }
}

/** window.api: the contract over IPC, typed from the contract itself. The only user of ipcRenderer. */
const api = {
  async call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
    const r = (await ipcRenderer.invoke('host:call', name, req)) as
      { ok: true; value: Commands[K]['res'] } | { ok: false; error: ErrorInfo };
    if (!r.ok) throw new HostError(r.error);
    return r.value;
  },
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    const l = (_e: unknown, n: string, payload: unknown): void => {
      if (n === name) listener(payload as Events[K]);
    };
    ipcRenderer.on('host:event', l);
    return () => void ipcRenderer.off('host:event', l);
  },
};

// The renderer types window.api as HostApi: this keeps the implementation and the contract in step.
api satisfies HostApi;
export type PreloadApi = typeof api;
contextBridge.exposeInMainWorld('api', api);
