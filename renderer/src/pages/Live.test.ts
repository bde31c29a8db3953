import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../../engine/contract';
import { PALETTE } from '../components/chartStyle';
import { timeFormat } from '../context';
import { revenueByCategory, revenuePerStore, storeColour, topProducts } from './Live';

const w = (start: number, store: string, cents: number) => ({
  start,
  end: start + 60_000,
  transactions: 1,
  lines: 1,
  revenueCents: cents,
  byStore: { [store]: { transactions: 1, revenueCents: cents } },
  byCategory: { Dairy: cents },
  byProduct: { '7': { quantity: 1, revenueCents: cents } },
});
const snapshot: MetricsSnapshot = {
  windows: [w(0, '1', 1000), w(60_000, '2', 2500)],
  transactions: 2,
  revenue: 35,
  lateRecords: 0,
  latencyMs: { p50: 1, p99: 2 },
  at: 200_000,
  names: { stores: { '1': 'Cairo Downtown' }, products: { '7': 'Olive Oil 1L' } },
};
type Series = { name: string; data: number[]; color?: string; markArea?: unknown };

describe('Live chart options', () => {
  it('revenue per store per minute: one line per store, named, one point per window, in EGP', () => {
    const { option, points, inProgress } = revenuePerStore(snapshot);
    expect((option.series as Series[]).map((s) => [s.name, s.data])).toEqual([
      ['Cairo Downtown', [10, 0]],
      ['Store 2', [0, 25]],
    ]);
    expect(points).toBe(4);
    expect(inProgress).toBeNull();
  });

  it('gives each of 12 stores its own colour, and a store keeps it whichever stores are shown', () => {
    const stores = Array.from({ length: 12 }, (_, i) => String(i + 1));
    const colours = stores.map(storeColour);
    expect(new Set(colours).size).toBe(12);
    expect(colours.every((c) => PALETTE.includes(c))).toBe(true);
    const two = revenuePerStore({ ...snapshot, windows: [w(0, '11', 100), w(0, '3', 100)] });
    expect((two.option.series as Series[]).map((s) => s.color)).toEqual([storeColour('3'), storeColour('11')]);
  });

  it('marks the minute still being filled as in progress instead of drawing it as a drop', () => {
    const now = { ...snapshot, at: 60_000 + 30_000 };
    const { option, inProgress } = revenuePerStore(now, timeFormat('UTC'));
    expect(inProgress).toBe('00:01');
    expect((option.series as Series[])[0].markArea).toMatchObject({ data: [[{ xAxis: '00:01' }, { xAxis: '00:01' }]] });
  });

  it('names the value axis along its side, away from the legend on top', () => {
    const { option } = revenuePerStore(snapshot);
    expect(option.yAxis).toMatchObject({ name: 'Revenue (EGP)', nameLocation: 'middle' });
    expect(option.legend).toMatchObject({ top: 0 });
  });

  it('sums categories and products over the windows; product names are cut, values compact', () => {
    expect((revenueByCategory(snapshot).option.series as { data: number[] }[])[0].data).toEqual([35]);
    const top = topProducts(snapshot).option;
    expect((top.series as { data: number[] }[])[0].data).toEqual([35]);
    expect(top.yAxis).toMatchObject({ data: ['Olive Oil 1L'], axisLabel: { overflow: 'truncate' } });
    expect(top.xAxis).toMatchObject({ axisLabel: { hideOverlap: true } });
  });

  it('shows minutes in the chosen zone', () => {
    const cairo = revenuePerStore(snapshot, timeFormat('Africa/Cairo')).option.xAxis as { data: string[] };
    expect(cairo.data).toEqual(['02:00', '02:01']);
  });
});
