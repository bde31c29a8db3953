import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { HostApi } from '../../engine/contract';
import type { AppState, AppStore, LiveStore } from './store/appStore';
import { pushError } from './store/appStore';

export interface Ctx {
  api: HostApi;
  app: AppStore;
  live: LiveStore;
}
export const AppContext = createContext<Ctx | null>(null);

export function useCtx(): Ctx {
  const c = useContext(AppContext);
  if (!c) throw new Error('AppContext missing');
  return c;
}

export function useApp<T>(select: (s: AppState) => T): T {
  return useStore(useCtx().app, select);
}

/** Runs a Host call and reports a failure in the error area instead of throwing. */
export function useAct(): <T>(p: Promise<T>, source?: string) => Promise<T | undefined> {
  const { app } = useCtx();
  return (p, source = 'ui') =>
    p.catch((err: Error) => {
      pushError(app, source, err.message);
      return undefined;
    });
}
