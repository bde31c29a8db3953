import type { Commands, CommandName, EventName, Events } from './contract';
import type { ErrorInfo } from './errors';

/*
 * The contract on the wire: how a call, its reply and a Host event cross a process boundary, the
 * same way for Electron IPC (electron/ipc.ts, electron/preload.ts) and web mode's WebSocket
 * (engine/web/server.ts, renderer/src/api/wsClient.ts). Errors cross as data (ErrorInfo: code,
 * message, retriable, field), never as thrown strings, so their code and field survive.
 */

/** Electron IPC channels: calls go by invoke on the first, Host events come back on the second. */
export type IpcChannels = { call: 'host:call'; event: 'host:event' };
export const IPC_CHANNELS: IpcChannels = { call: 'host:call', event: 'host:event' };

/** A call's answer: the one reply envelope of every transport. */
export type CallReply<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/**
 * What the Electron preload exposes as window.api: calls answer with the reply envelope, because an
 * Error crossing the context bridge keeps only its message. The renderer turns it back into a HostApi.
 */
export interface HostBridge {
  call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<CallReply<Commands[K]['res']>>;
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
}

/** A Host event as it crosses: the IPC event channel's one argument and web mode's event frame. */
export type WireEvent = { event: string; payload: unknown };

/**
 * Web mode, as JSON text frames over the WebSocket:
 *   client → server  WireCall                              a call, numbered by the client
 *   server → client  WireReply (the envelope plus the id)  its answer
 *   server → client  WireEvent                             a Host event
 */
export type WireCall = { id: number; name: string; req: unknown };
export type WireReply<T = unknown> = { id: number } & CallReply<T>;
export type ServerMessage = WireReply | WireEvent;
