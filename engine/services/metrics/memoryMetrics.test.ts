import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryMetrics } from './memoryMetrics';
import { latencyBucket, latencyQuantile, type MetricsBatch } from './port';

const batch = (partition: number, first: number, last: number, cents: number): MetricsBatch => ({
  partition,
  firstOffset: first,
  lastOffset: last,
  windows: [{ start: 120_000, transactions: 1, lines: 2, revenueCents: cents, byStore: { '3': { transactions: 1, revenueCents: cents } }, byCategory: { Dairy: cents }, byProduct: { '112': { quantity: 2, revenueCents: cents } } }],
  late: { records: 0, revenueCents: 0 },
  latency: { [latencyBucket(40)]: 1 },
});

describe('in-memory metrics', () => {
  it('adds windows up and ignores a batch it already applied (a replay after a crash)', async () => {
    const m = new MemoryMetrics();
    assert.equal(await m.apply(batch(0, 0, 9, 1000)), true);
    assert.equal(await m.apply(batch(1, 0, 4, 250)), true);
    assert.equal(await m.apply(batch(0, 0, 9, 1000)), false);
    const [w] = await m.windows(0);
    assert.equal(w.revenueCents, 1250);
    assert.equal(w.byStore['3'].transactions, 2);
    assert.equal(w.end, 180_000);
    const t = await m.totals();
    assert.deepEqual(t.applied, { 0: 9, 1: 4 });
    assert.ok(Math.abs(latencyQuantile(t.latency, 0.99)! - 40) <= 4);
  });
});
