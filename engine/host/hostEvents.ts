import type { EventName, Events } from '../contract';

/** The Host's events: what any front end subscribes to (HostApi.on), emitted by the Host's parts. */
export class HostEvents {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();

  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  readonly emit = <K extends EventName>(name: K, payload: Events[K]): void => {
    for (const l of this.listeners.get(name) ?? []) (l as (p: Events[K]) => void)(payload);
  };

  /** Whether anyone listens: work done only for listeners (a tick, stats sampling) is skipped otherwise. */
  readonly wants = (name: EventName): boolean => !!this.listeners.get(name)?.size;
}
