import { createContext, useCallback, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { HostApi } from '../../engine/contract';
import { formatDateTime, formatMinute, formatTime, resolveZone, zoneLabel } from './format';
import type { AppState, AppStore, LiveStore } from './store/appStore';
import { clearError, reportError, type PlaceError, type UiState, type UiStore } from './store/uiStore';

export interface Ctx {
  api: HostApi;
  app: AppStore;
  live: LiveStore;
  ui: UiStore;
}
export const AppContext = createContext<Ctx | null>(null);
/** The page a component is on: its errors go to that page's error area, never to another page. */
export const PageContext = createContext<string>('pipeline');

export function useCtx(): Ctx {
  const c = useContext(AppContext);
  if (!c) throw new Error('AppContext missing');
  return c;
}

export function useApp<T>(select: (s: AppState) => T): T {
  return useStore(useCtx().app, select);
}

export function useUi<T>(select: (s: UiState) => T): T {
  return useStore(useCtx().ui, select);
}

/**
 * Runs a Host call and shows a failure in the error area of the page it was made on (one error per
 * source, replaced by the next and cleared by a success) instead of throwing.
 */
export function useAct(): <T>(p: Promise<T>, source?: string) => Promise<T | undefined> {
  const { ui } = useCtx();
  const page = useContext(PageContext);
  return useCallback(
    <T>(p: Promise<T>, source = 'ui') =>
      p.then(
        (v) => {
          clearError(ui, `page:${page}:${source}`);
          return v;
        },
        (err: unknown) => {
          reportError(ui, `page:${page}:${source}`, source, err);
          return undefined;
        },
      ),
    [ui, page],
  );
}

/** A call whose error belongs to one place (a field, an editor, a control): shown there, cleared by a success. */
export function usePlace(place: string): {
  run: <T>(p: Promise<T>) => Promise<T | undefined>;
  error: PlaceError | undefined;
  clear: () => void;
} {
  const { ui } = useCtx();
  const error = useUi((s) => s.errors[place]);
  const run = useCallback(
    <T>(p: Promise<T>) =>
      p.then(
        (v) => {
          clearError(ui, place);
          return v;
        },
        (err: unknown) => {
          reportError(ui, place, place, err);
          return undefined;
        },
      ),
    [ui, place],
  );
  return { run, error, clear: () => clearError(ui, place) };
}

export interface TimeFormat {
  zone: string;
  /** "Africa/Cairo (UTC+02:00)": said next to the times a page shows. */
  label: string;
  dateTime: (v: number | string | Date | null | undefined) => string;
  time: (v: number | string | Date) => string;
  minute: (v: number | string | Date) => string;
}

export function timeFormat(zone: string): TimeFormat {
  return {
    zone,
    label: zoneLabel(zone),
    dateTime: (v) => formatDateTime(v, zone),
    time: (v) => formatTime(v, zone),
    minute: (v) => formatMinute(v, zone),
  };
}

/** Times in the zone chosen in Settings (the machine's own by default). */
export function useTimeFormat(): TimeFormat {
  const choice = useUi((s) => s.zone);
  return useMemo(() => timeFormat(resolveZone(choice)), [choice]);
}
