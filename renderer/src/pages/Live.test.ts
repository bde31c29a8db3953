import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../../engine/contract';
import { revenueByCategory, revenuePerStore, topProducts } from './Live';

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
  at: 0,
  names: { stores: { '1': 'Cairo Downtown' }, products: { '7': 'Olive Oil 1L' } },
};

describe('Live chart options', () => {
  it('revenue per store per minute: one line per store, named, one point per window, in EGP', () => {
    const { option, points } = revenuePerStore(snapshot);
    expect((option.series as { name: string; data: number[] }[]).map((s) => [s.name, s.data])).toEqual([
      ['Cairo Downtown', [10, 0]],
      ['Store 2', [0, 25]],
    ]);
    expect(points).toBe(4);
  });
  it('sums categories and products over the windows', () => {
    expect((revenueByCategory(snapshot).option.series as { data: number[] }[])[0].data).toEqual([35]);
    expect((topProducts(snapshot).option.series as { data: number[] }[])[0].data).toEqual([35]);
    expect((topProducts(snapshot).option.yAxis as { data: string[] }).data).toEqual(['Olive Oil 1L']);
  });
});
