import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleBatch } from './metrics.contract';
import { MemoryMetrics } from './memoryMetrics';
import {
  batchTotals,
  emptyWindow,
  latencyBucket,
  latencyQuantile,
  mergeBatches,
  mergeWindow,
  WINDOW_MS,
  windowStart,
} from './windows';

describe('window math', () => {
  it('puts an event in the minute that holds it, the boundary in the next one', () => {
    const t = Date.UTC(2026, 10, 29, 7, 36);
    assert.equal(windowStart(t), t);
    assert.equal(windowStart(t + WINDOW_MS - 1), t);
    assert.equal(windowStart(t + WINDOW_MS), t + WINDOW_MS);
  });

  it('mergeWindow adds a delta into a window, creating stores, categories and products it lacks', () => {
    const w = emptyWindow(60_000);
    const [d] = sampleBatch(0, 0, 0, 2).windows;
    mergeWindow(w, d);
    mergeWindow(w, d);
    assert.equal(w.start, 60_000);
    assert.equal(w.revenueCents, 2 * d.revenueCents);
    for (const [k, v] of Object.entries(d.byProduct))
      assert.deepEqual(w.byProduct[k], { quantity: 2 * v.quantity, revenueCents: 2 * v.revenueCents });
    for (const [k, v] of Object.entries(d.byCategory)) assert.equal(w.byCategory[k], 2 * v);
  });

  it('a merged batch is worth its two parts in any store, and leaves the parts as they were', async () => {
    const a = sampleBatch(1, 0, 9, 1);
    const b = sampleBatch(1, 10, 19, 2);
    const before = structuredClone(a);
    const merged = mergeBatches(a, b);
    assert.deepEqual(a, before, 'the held batch is not changed in place');
    assert.equal(merged.firstOffset, 0);
    assert.equal(merged.lastOffset, 19);
    assert.deepEqual(batchTotals(merged), {
      transactions: batchTotals(a).transactions + batchTotals(b).transactions,
      revenueCents: batchTotals(a).revenueCents + batchTotals(b).revenueCents,
    });
    assert.equal(merged.late.records, a.late.records + b.late.records);
    // Applying the merge or the two parts gives the same windows and totals.
    const one = new MemoryMetrics();
    const two = new MemoryMetrics();
    await one.apply(merged);
    await two.apply(a);
    await two.apply(b);
    assert.deepEqual(await one.windows(0), await two.windows(0));
    assert.deepEqual(await one.totals(), await two.totals());
  });

  it('latency quantiles come from ~10% buckets; no latency at all is null, not 0', () => {
    assert.equal(latencyQuantile({}, 0.5), null);
    const hist: Record<string, number> = {};
    for (const ms of [10, 10, 10, 10, 2000]) hist[latencyBucket(ms)] = (hist[latencyBucket(ms)] ?? 0) + 1;
    const p50 = latencyQuantile(hist, 0.5)!;
    const p99 = latencyQuantile(hist, 0.99)!;
    assert.ok(p50 >= 10 && p50 <= 11, `p50 ${p50}`);
    assert.ok(p99 >= 2000 && p99 <= 2200, `p99 ${p99}`);
    assert.equal(latencyBucket(0), 0);
  });
});
