import { contextBridge, ipcRenderer } from 'electron';
import type { Commands, CommandName, Events, EventName } from '../engine/contract';

/** window.api: the contract over IPC, typed from the contract itself. The only user of ipcRenderer. */
const api = {
  async call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
    const r = (await ipcRenderer.invoke('host:call', name, req)) as { ok: true; value: Commands[K]['res'] } | { ok: false; error: { message: string } };
    if (!r.ok) throw new Error(r.error.message);
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

export type PreloadApi = typeof api;
contextBridge.exposeInMainWorld('api', api);
