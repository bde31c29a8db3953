import { fromErrorInfo, toErrorInfo, type ErrorInfo } from '../errors';

/**
 * Calls and events over any message port (worker_threads MessagePort, parentPort, a WebSocket
 * adapter): one protocol for Host ↔ stage workers, workers ↔ services, and later UI ↔ Host.
 */
export interface Endpoint {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}
type Transferable = ArrayBuffer | import('node:worker_threads').MessagePort;

type Message =
  | { rpc: 'call'; id: number; method: string; args: unknown[] }
  | { rpc: 'result'; id: number; ok: true; value: unknown }
  | { rpc: 'result'; id: number; ok: false; error: ErrorInfo }
  | { rpc: 'event'; name: string; payload: unknown };

function isRpc(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && 'rpc' in m;
}

/** Answers calls on `endpoint` with the methods of `impl`. Returns a disposer. */
export function serve(endpoint: Endpoint, impl: object): () => void {
  const listener = (m: unknown): void => {
    if (!isRpc(m) || m.rpc !== 'call') return;
    const fn = (impl as Record<string, unknown>)[m.method];
    const reply = (msg: Message): void => endpoint.postMessage(msg);
    if (typeof fn !== 'function') {
      reply({
        rpc: 'result',
        id: m.id,
        ok: false,
        error: { code: 'internal', message: `no method ${m.method}`, retriable: false },
      });
      return;
    }
    Promise.resolve()
      .then(() => (fn as (...a: unknown[]) => unknown).apply(impl, m.args))
      .then(
        (value) => reply({ rpc: 'result', id: m.id, ok: true, value }),
        (err) => reply({ rpc: 'result', id: m.id, ok: false, error: toErrorInfo(err) }),
      );
  };
  endpoint.on('message', listener);
  return () => endpoint.off('message', listener);
}

export type Remote<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export interface Client<T> {
  api: Remote<T>;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
  /** Rejects every pending call, e.g. when the worker behind the endpoint died. */
  failAll(error: ErrorInfo): void;
  dispose(): void;
}

export function connect<T>(endpoint: Endpoint): Client<T> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const listeners = new Set<(name: string, payload: unknown) => void>();
  const listener = (m: unknown): void => {
    if (!isRpc(m)) return;
    if (m.rpc === 'result') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(fromErrorInfo(m.error));
    } else if (m.rpc === 'event') {
      for (const l of listeners) l(m.name, m.payload);
    }
  };
  endpoint.on('message', listener);
  const api = new Proxy({} as Remote<T>, {
    get(_t, method) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject });
          endpoint.postMessage({ rpc: 'call', id, method, args } satisfies Message);
        });
    },
  });
  return {
    api,
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    failAll(error) {
      for (const p of pending.values()) p.reject(fromErrorInfo(error));
      pending.clear();
    },
    dispose() {
      endpoint.off('message', listener);
    },
  };
}

export function emit(endpoint: Endpoint, name: string, payload: unknown): void {
  endpoint.postMessage({ rpc: 'event', name, payload } satisfies Message);
}
