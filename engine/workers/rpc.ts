import type { MessagePort } from 'node:worker_threads';
import { fromErrorInfo, toErrorInfo, type ErrorInfo } from '../errors';

/**
 * Calls and events over any message port (worker_threads MessagePort, parentPort, a Worker): one
 * protocol for Host ↔ stage workers and workers ↔ services. Calls are typed by the API object
 * served, events by an event map (workers/protocol.ts gives both for each worker role).
 */
export interface Endpoint {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}
type Transferable = ArrayBuffer | MessagePort;

type Message =
  | { rpc: 'call'; id: number; method: string; args: unknown[] }
  | { rpc: 'result'; id: number; ok: true; value: unknown }
  | { rpc: 'result'; id: number; ok: false; error: ErrorInfo }
  | { rpc: 'event'; name: string; payload: unknown };

function isRpc(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && 'rpc' in m;
}

/** The methods of T, each answering with a promise: what a caller on the other side of a port gets. */
export type Remote<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/** Answers calls on `endpoint` with the methods of `impl`. Returns a disposer. */
export function serve<T extends object>(endpoint: Endpoint, impl: T): () => void {
  const listener = (m: unknown): void => {
    if (!isRpc(m) || m.rpc !== 'call') return;
    const reply = (msg: Message): void => endpoint.postMessage(msg);
    // The object's own methods and its class's, never Object's (constructor, toString, __proto__…).
    const fn: unknown = m.method in Object.prototype ? undefined : Reflect.get(impl, m.method);
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
      .then(() => Reflect.apply(fn, impl, m.args) as unknown)
      .then(
        (value) => reply({ rpc: 'result', id: m.id, ok: true, value }),
        (err) => reply({ rpc: 'result', id: m.id, ok: false, error: toErrorInfo(err) }),
      );
  };
  endpoint.on('message', listener);
  return () => endpoint.off('message', listener);
}

/** Listens for one event of a map E; returns a disposer. */
export type On<E> = <K extends keyof E & string>(name: K, listener: (payload: E[K]) => void) => () => void;

export interface Client<T, E = Record<string, unknown>> {
  api: Remote<T>;
  on: On<E>;
  /** Rejects every pending call, and every later one, e.g. when the worker behind the endpoint died. */
  failAll(error: ErrorInfo): void;
  dispose(): void;
}

export function connect<T, E = Record<string, unknown>>(endpoint: Endpoint): Client<T, E> {
  let nextId = 1;
  let failed: ErrorInfo | null = null;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const listeners = new Map<string, Set<(payload: never) => void>>();
  const listener = (m: unknown): void => {
    if (!isRpc(m)) return;
    if (m.rpc === 'result') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(fromErrorInfo(m.error));
    } else if (m.rpc === 'event') {
      for (const l of listeners.get(m.name) ?? []) (l as (payload: unknown) => void)(m.payload);
    }
  };
  endpoint.on('message', listener);
  const call =
    (method: string) =>
    (...args: unknown[]): Promise<unknown> =>
      new Promise((resolve, reject) => {
        // A call to a thread that has ended would wait for ever: it fails with the reason it ended.
        if (failed) return reject(fromErrorInfo(failed));
        const id = nextId++;
        pending.set(id, { resolve, reject });
        endpoint.postMessage({ rpc: 'call', id, method, args } satisfies Message);
      });
  const api = new Proxy({} as Remote<T>, {
    get(_t, method) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return call(method);
    },
  });
  return {
    api,
    on(name, l) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(l);
      return () => set.delete(l);
    },
    failAll(error) {
      failed = error;
      for (const p of pending.values()) p.reject(fromErrorInfo(error));
      pending.clear();
    },
    dispose() {
      endpoint.off('message', listener);
    },
  };
}

/** Pushes the events of a map E on `endpoint`. */
export function emitter<E>(endpoint: Endpoint): <K extends keyof E & string>(name: K, payload: E[K]) => void {
  return (name, payload) => endpoint.postMessage({ rpc: 'event', name, payload } satisfies Message);
}
