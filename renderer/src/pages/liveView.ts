import type { MetricsRange, MetricsSnapshot, WindowView } from '../../../engine/contract';
import type { LiveState } from '../store/appStore';
import type { LiveViewState } from '../store/reconcileState';

const MINUTE = 60_000;

/** The range answers the view asked for (its minutes and store). */
export function rangeFor(range: MetricsRange | null, view: LiveViewState): MetricsRange | null {
  if (!range || range.minutes !== view.minutes) return null;
  const stores = range.stores?.map(String) ?? [];
  return (view.store === null ? stores.length === 0 : stores.length === 1 && stores[0] === view.store) ? range : null;
}

/** One store's part of a window: its revenue and sales; categories, products and lines stay all stores'. */
export function onlyStore(w: WindowView, store: string | null): WindowView {
  if (store === null) return w;
  const mine = w.byStore[store];
  return {
    ...w,
    byStore: mine ? { [store]: mine } : {},
    transactions: mine?.transactions ?? 0,
    revenueCents: mine?.revenueCents ?? 0,
  };
}

/**
 * What the window charts show: the range's minutes (windows, and silver before the oldest window),
 * with the ticks' windows for the newest minutes, for one store or all. The ticks replace the
 * range's minutes where the range read windows, or that are newer than the range (silver was
 * behind then); elsewhere silver stays (the windows there are empty or partial).
 */
export function viewSnapshot(
  state: Pick<LiveState, 'snapshot' | 'range'>,
  view: LiveViewState,
): MetricsSnapshot | null {
  const snap = state.snapshot;
  const range = rangeFor(state.range, view);
  if (!range) {
    if (!snap) return null;
    return view.store === null ? snap : { ...snap, windows: snap.windows.map((w) => onlyStore(w, view.store)) };
  }
  const at = Math.max(snap?.at ?? 0, range.at);
  const from = at - (at % MINUTE) + MINUTE - view.minutes * MINUTE;
  const windowsFrom = range.sources.find((s) => s.source === 'windows')?.from ?? Infinity;
  const rangeNow = range.at - (range.at % MINUTE);
  const byStart = new Map<number, WindowView>();
  for (const w of range.windows) if (w.start >= from) byStart.set(w.start, w);
  for (const w of snap?.windows ?? [])
    if (w.start >= from && (w.start >= windowsFrom || w.start >= rangeNow))
      byStart.set(w.start, onlyStore(w, view.store));
  const base: MetricsSnapshot = snap ?? {
    windows: [],
    transactions: 0,
    revenue: 0,
    lateRecords: 0,
    latencyMs: { p50: null, p99: null },
    at,
    names: range.names,
  };
  return {
    ...base,
    at,
    windows: [...byStart.values()].sort((a, b) => a.start - b.start),
    names: {
      stores: { ...range.names.stores, ...snap?.names.stores },
      products: { ...range.names.products, ...snap?.names.products },
    },
  };
}

/**
 * For the products and categories charts: with a store filter, the range's breakdown of that store
 * (from silver: the windows keep them for all stores together) as one window; otherwise the view.
 */
export function breakdownSnapshot(
  state: Pick<LiveState, 'snapshot' | 'range'>,
  view: LiveViewState,
): MetricsSnapshot | null {
  const shown = viewSnapshot(state, view);
  const breakdown = rangeFor(state.range, view)?.breakdown;
  if (!shown || view.store === null) return shown;
  if (!breakdown) return { ...shown, windows: [] };
  const at = shown.at;
  return {
    ...shown,
    windows: [
      {
        start: at,
        end: at + MINUTE,
        transactions: 0,
        lines: 0,
        revenueCents: 0,
        byStore: {},
        byCategory: breakdown.byCategory,
        byProduct: breakdown.byProduct,
      },
    ],
  };
}

/** Where the minutes come from, in words for the page: "before 10:42 from silver". */
export function silverUntil(range: MetricsRange | null): number | null {
  const silver = range?.sources.find((s) => s.source === 'silver');
  return silver ? silver.to : null;
}

/**
 * The stream's event-time lag in words: how far the newest event time it counted trails the clock.
 * A replayed backlog shows here, apart from the event-to-window latency (measured from each
 * record's arrival in the broker). Null when the stream is not running or has counted nothing.
 */
export function eventLagText(running: boolean, lagMs: number | undefined): string | null {
  if (!running || !lagMs) return null;
  if (lagMs < 2_000) return 'event time is current (under 2 s behind the clock)';
  const s = Math.round(lagMs / 1000);
  const shown = s < 120 ? `${s} s` : s < 7_200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
  return `event time is ${shown} behind the clock (a backlog or a slow till feed; latency is measured from arrival)`;
}
