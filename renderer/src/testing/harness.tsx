import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { CommandName, Commands, EventName, Events, HostApi } from '../../../engine/contract';
import { HostCallError } from '../api/hostError';
import { AppContext, PageContext } from '../context';
import { createAppStore, createLiveStore } from '../store/appStore';
import { bindUi, createUiStore } from '../store/uiStore';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Handlers = { [K in CommandName]?: (req: Commands[K]['req']) => Commands[K]['res'] | Promise<Commands[K]['res']> };

/** A Host stand-in for component tests: answers from `handlers`, records every call, emits events on demand. */
export function fakeHost(handlers: Handlers) {
  const calls: [CommandName, unknown][] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const api: HostApi = {
    async call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
      calls.push([name, req]);
      const h = handlers[name] as ((r: Commands[K]['req']) => Commands[K]['res']) | undefined;
      if (!h) throw new HostCallError({ code: 'internal', message: `no handler for ${name}`, retriable: false });
      return h(req);
    },
    on<K extends EventName>(name: K, l: (p: Events[K]) => void) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(l as (p: unknown) => void);
      return () => set.delete(l as (p: unknown) => void);
    },
  };
  const emit = <K extends EventName>(name: K, payload: Events[K]) =>
    act(() => listeners.get(name)?.forEach((l) => l(payload)));
  return { api, calls, emit };
}

export type Stores = {
  app: ReturnType<typeof createAppStore>;
  live: ReturnType<typeof createLiveStore>;
  ui: ReturnType<typeof createUiStore>;
};

/** Renders `node` on `page` with fresh stores (fed by the Host when `bind`); returns the container and a way out. */
export async function render(
  node: ReactNode,
  api: HostApi,
  page = 'pipeline',
  opts: { bind?: boolean; stores?: Stores } = {},
) {
  const given = opts.stores;
  const stores: Stores = given
    ? { app: given.app, live: given.live, ui: given.ui }
    : { app: createAppStore(), live: createLiveStore(), ui: createUiStore('UTC') };
  if (opts.bind) bindUi(api, stores.ui);
  const el = document.createElement('div');
  document.body.append(el);
  let root!: Root;
  await act(async () => {
    root = createRoot(el);
    root.render(
      <AppContext.Provider value={{ api, ...stores }}>
        <PageContext.Provider value={page}>{node}</PageContext.Provider>
      </AppContext.Provider>,
    );
  });
  return {
    el,
    ...stores,
    unmount: () => {
      act(() => root.unmount());
      el.remove();
    },
  };
}

/** Lets pending promises and timers of `ms` run inside act. */
export async function settle(ms = 0): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, ms));
  });
}
