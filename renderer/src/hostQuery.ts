import { useCallback, useContext, useEffect, useRef, useState, type DependencyList } from 'react';
import type { ErrorInfo, HostApi } from '../../engine/contract';
import { errorInfo } from './api/hostError';
import { PageContext, useCtx } from './context';
import { clearError, reportError } from './store/uiStore';

export interface HostQueryOptions<T> {
  /** Where a failure is shown: this page's error area under `source` (default 'ui')… */
  source?: string;
  /** …or one place (a field, a panel) instead, as usePlace does. */
  place?: string;
  /** Also hands each answer on (to a store slice), after it is kept. */
  onData?: (value: T) => void;
  /** Shows a failure the page's own way instead of in its error area. */
  onError?: (error: ErrorInfo) => void;
  /** When false, nothing is read (yet). Default true. */
  enabled?: boolean;
  /** Read again when one of these changes, though `read` does not use them (a stage's state, a refresh tick). */
  refreshOn?: DependencyList;
}

export interface HostQuery<T> {
  /** The newest answer, undefined until one arrives. */
  data: T | undefined;
  /** True while the newest read is in flight. */
  loading: boolean;
  /** Reads again now; resolves to the answer, or undefined when it failed or a newer read overtook it. */
  refresh: () => Promise<T | undefined>;
  /** Puts a value the page got otherwise (a command's answer) in place; reads still in flight are dropped. */
  set: (value: T) => void;
}

/**
 * Page data read from the Host: `read` runs on mount and whenever `deps` change (list what `read`
 * uses; lint checks it like useEffect's), and on refresh(). Only the newest read lands: an answer
 * (or failure) that arrives after a newer read began, after set(), or after the page unmounted
 * is dropped, so a slow old answer never overwrites a newer one. Reads only; never writes on mount.
 */
export function useHostQuery<T>(
  read: (api: HostApi) => Promise<T>,
  deps: DependencyList,
  opts: HostQueryOptions<T> = {},
): HostQuery<T> {
  const { api, ui } = useCtx();
  const page = useContext(PageContext);
  const [data, setData] = useState<T | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);
  const latest = useRef({ read, opts });
  useEffect(() => {
    latest.current = { read, opts };
  });
  const errorKey = opts.place ?? `page:${page}:${opts.source ?? 'ui'}`;
  const errorSource = opts.place ?? opts.source ?? 'ui';

  const refresh = useCallback(async (): Promise<T | undefined> => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const value = await latest.current.read(api);
      if (mine !== seq.current) return undefined;
      if (!latest.current.opts.onError) clearError(ui, errorKey);
      setData(value);
      latest.current.opts.onData?.(value);
      return value;
    } catch (err) {
      if (mine !== seq.current) return undefined;
      const { onError } = latest.current.opts;
      if (onError) onError(errorInfo(err));
      else reportError(ui, errorKey, errorSource, err);
      return undefined;
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api, ui, errorKey, errorSource]);

  const set = useCallback((value: T) => {
    seq.current++;
    setLoading(false);
    setData(value);
  }, []);

  const enabled = opts.enabled ?? true;
  useEffect(() => {
    // Reading from the Host is what this effect synchronizes with; refresh() marks it loading first.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (enabled) void refresh();
    // deps are the caller's: what `read` uses (checked at the call site by react-hooks/exhaustive-deps).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, refresh, ...deps, ...(opts.refreshOn ?? [])]);
  // Unmounted: whatever is still in flight is stale.
  useEffect(() => () => void seq.current++, []);

  return { data, loading, refresh, set };
}
