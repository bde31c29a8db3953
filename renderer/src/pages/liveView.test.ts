import { describe, expect, it } from 'vitest';
import type { MetricsRange, MetricsSnapshot, WindowView } from '../../../engine/contract';
import { initialLiveView, type LiveViewState } from '../store/reconcileState';
import { pointAt, revenuePerStore } from './Live';
import { breakdownSnapshot, eventLagText, rangeFor, viewSnapshot } from './liveView';

const M = 60_000;
const T = Date.UTC(2026, 2, 1, 10, 0);
const w = (start: number, stores: Record<string, number>): WindowView => ({
  start,
  end: start + M,
  transactions: Object.keys(stores).length,
  lines: 9,
  revenueCents: Object.values(stores).reduce((s, c) => s + c, 0),
  byStore: Object.fromEntries(Object.entries(stores).map(([k, c]) => [k, { transactions: 1, revenueCents: c }])),
  byCategory: { Dairy: 1 },
  byProduct: { '101': { quantity: 1, revenueCents: 1 } },
});
const names = { stores: { '1': 'Cairo Downtown', '2': 'Giza Mall' }, products: {} };
const snapshot = (windows: WindowView[], at: number): MetricsSnapshot => ({
  windows,
  transactions: 0,
  revenue: 0,
  lateRecords: 0,
  latencyMs: { p50: null, p99: null },
  at,
  names,
});
const range = (over: Partial<MetricsRange>): MetricsRange => ({
  minutes: 60,
  from: T - 50 * M,
  to: T + 10 * M,
  at: T + 5 * M,
  windows: [],
  sources: [],
  stores: null,
  breakdown: null,
  note: null,
  names,
  ...over,
});
const view = (over: Partial<LiveViewState> = {}): LiveViewState => ({ ...initialLiveView(), minutes: 60, ...over });

describe('the Live view of a range', () => {
  it('takes silver before the oldest window and the ticks for the newest minutes', () => {
    const r = range({
      windows: [w(T - 40 * M, { '1': 500 }), w(T, { '1': 100 }), w(T + 4 * M, { '2': 7 })],
      sources: [
        { from: T - 50 * M, to: T, source: 'silver' },
        { from: T, to: T + 10 * M, source: 'windows' },
      ],
    });
    // The ticks hold the minutes since T as the windows have them now (T + 4 grew, T + 6 is new).
    const snap = snapshot([w(T, { '1': 100 }), w(T + 4 * M, { '2': 90 }), w(T + 6 * M, { '1': 3 })], T + 6 * M + 10);
    const shown = viewSnapshot({ snapshot: snap, range: r }, view())!;
    expect(shown.windows.map((x) => [x.start, x.revenueCents])).toEqual([
      [T - 40 * M, 500],
      [T, 100],
      [T + 4 * M, 90],
      [T + 6 * M, 3],
    ]);
    expect(shown.at).toBe(snap.at);
  });

  it('keeps silver where the windows hold nothing, until minutes newer than the range', () => {
    const r = range({
      windows: [w(T + 2 * M, { '1': 800 })],
      sources: [{ from: T - 50 * M, to: T + 10 * M, source: 'silver' }],
      at: T + 3 * M + 5,
    });
    // An embedded store that started empty: its window of T + 2 holds only what came since.
    const snap = snapshot([w(T + 2 * M, { '1': 30 }), w(T + 3 * M, { '1': 40 })], T + 3 * M + 900);
    const shown = viewSnapshot({ snapshot: snap, range: r }, view())!;
    expect(shown.windows.map((x) => [x.start, x.revenueCents])).toEqual([
      [T + 2 * M, 800],
      [T + 3 * M, 40],
    ]);
  });

  it('ignores a range asked for another choice, and shows one store alone', () => {
    const r = range({
      windows: [w(T, { '1': 100, '2': 50 })],
      sources: [{ from: T - 50 * M, to: T + 10 * M, source: 'windows' }],
    });
    expect(rangeFor(r, view({ minutes: 180 }))).toBeNull();
    expect(rangeFor(r, view({ store: '2' }))).toBeNull();
    expect(rangeFor({ ...r, stores: [2] }, view({ store: '2' }))).not.toBeNull();
    const snap = snapshot([w(T, { '1': 100, '2': 50 })], T + 10);
    const one = viewSnapshot({ snapshot: snap, range: null }, view({ store: '2' }))!;
    expect(one.windows.map((x) => [x.byStore, x.revenueCents])).toEqual([
      [{ '2': { transactions: 1, revenueCents: 50 } }, 50],
    ]);
  });

  it('shows a store’s products and categories from the range’s breakdown, never the all-store windows', () => {
    const byCategory = { Bakery: 1234 };
    const r = range({
      stores: [2],
      breakdown: { byCategory, byProduct: {} },
      windows: [w(T, { '2': 50 })],
      sources: [{ from: T - 50 * M, to: T + 10 * M, source: 'windows' }],
    });
    const snap = snapshot([w(T, { '1': 100, '2': 50 })], T + 10);
    expect(
      breakdownSnapshot({ snapshot: snap, range: r }, view({ store: '2' }))!.windows.map((x) => x.byCategory),
    ).toEqual([byCategory]);
    expect(breakdownSnapshot({ snapshot: snap, range: null }, view({ store: '2' }))!.windows).toEqual([]);
  });

  it('shades the minutes read from silver and names the store under a click', () => {
    const s = snapshot([w(T - 5 * M, { '1': 100 }), w(T, { '1': 200, '2': 5000 })], T + 2 * M);
    const { option } = revenuePerStore(s, undefined, T);
    const area = (option.series as { markArea?: { data: { xAxis: string; label?: { formatter: string } }[][] } }[])[0]
      .markArea!.data;
    expect(area.map(([a, b]) => [a.xAxis, b.xAxis, a.label?.formatter])).toEqual([['09:55', '09:55', 'from silver']]);
    expect(pointAt(s, 1.2, 40)).toEqual({ storeId: 2, minute: T }); // EGP 50 is nearer than EGP 2
    expect(pointAt(s, 0.9, 1)).toEqual({ storeId: 1, minute: T });
    expect(pointAt(s, 7, 150)).toBeNull();
  });
});

describe('event-time lag, apart from latency', () => {
  it('says how far event time trails the clock, in units a person reads, and nothing when the stream is idle', () => {
    expect(eventLagText(false, 90_000)).toBeNull();
    expect(eventLagText(true, 0)).toBeNull();
    expect(eventLagText(true, 800)).toMatch(/current/);
    expect(eventLagText(true, 45_000)).toMatch(/^event time is 45 s behind/);
    expect(eventLagText(true, 20 * 60_000)).toMatch(/20 min behind/);
    expect(eventLagText(true, 5 * 3_600_000)).toMatch(/5\.0 h behind/);
  });
});
