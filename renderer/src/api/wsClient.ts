import type {
  Commands,
  CommandName,
  Events,
  EventName,
  HostApi,
  ServerMessage,
  WireCall,
} from '../../../engine/contract';
import { HostCallError } from './hostError';

/**
 * HostApi over the web-mode WebSocket (engine/web/server.ts): the same calls and events as
 * window.api. Calls made before the socket opens wait for it; a lost socket fails pending calls
 * and reconnects with backoff.
 */
export function connectWebSocket(url: string, Socket: typeof WebSocket = WebSocket): HostApi & { close(): void } {
  let ws: WebSocket;
  let open: Promise<void>;
  let nextId = 1;
  let closed = false;
  let retryMs = 250;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  const connect = (): void => {
    ws = new Socket(url);
    open = new Promise((resolve, reject) => {
      ws.addEventListener('open', () => {
        retryMs = 250;
        resolve();
      });
      ws.addEventListener('error', () =>
        reject(new HostCallError({ code: 'internal', message: 'cannot reach the Retail Pulse host', retriable: true })),
      );
    });
    open.catch(() => undefined);
    ws.addEventListener('message', (e: MessageEvent) => {
      const m = JSON.parse(String(e.data)) as ServerMessage;
      if ('event' in m) {
        for (const l of listeners.get(m.event) ?? []) l(m.payload);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new HostCallError(m.error));
    });
    ws.addEventListener('close', () => {
      for (const p of pending.values())
        p.reject(
          new HostCallError({ code: 'internal', message: 'the connection to the host closed', retriable: true }),
        );
      pending.clear();
      if (!closed) {
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      }
    });
  };
  connect();

  return {
    async call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
      await open;
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        const message: WireCall = { id, name, req };
        ws.send(JSON.stringify(message));
      });
    },
    on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    close() {
      closed = true;
      ws.close();
    },
  };
}
