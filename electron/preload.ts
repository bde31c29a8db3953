import { contextBridge, ipcRenderer } from 'electron';
import type { CallReply, Commands, CommandName, Events, EventName, HostBridge, WireEvent } from '../engine/contract';
import { IPC_CHANNELS } from '../engine/wireContract';

/**
 * window.api: the contract over IPC, typed from the contract itself. The only user of ipcRenderer
 * (lint refuses it elsewhere). Calls resolve to the contract's reply envelope (CallReply in
 * engine/wireContract.ts: { ok, value } | { ok: false, error: { code, message, field } })
 * rather than throwing: an Error rejected across the context bridge arrives with its message only,
 * so the renderer (renderer/src/api/ipcBridge.ts) rethrows it there, code and field intact.
 */
const api = {
  call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<CallReply<Commands[K]['res']>> {
    return ipcRenderer.invoke(IPC_CHANNELS.call, name, req) as Promise<CallReply<Commands[K]['res']>>;
  },
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    const l = (_e: unknown, m: WireEvent): void => {
      if (m.event === name) listener(m.payload as Events[K]);
    };
    ipcRenderer.on(IPC_CHANNELS.event, l);
    return () => void ipcRenderer.off(IPC_CHANNELS.event, l);
  },
};

// The renderer types window.api as HostBridge: this keeps the implementation and the contract in step.
api satisfies HostBridge;
export type PreloadApi = typeof api;
contextBridge.exposeInMainWorld('api', api);
