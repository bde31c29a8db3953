import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveMetrics } from './liveMetrics';
import { MemoryMetrics } from './services/metrics/memoryMetrics';
import type { MetricsBatch } from './services/metrics/port';
import { latencyBucket } from './services/metrics/windows';

/** A batch of `n` transactions with every latency `ms` and `late` late records. */
function batch(first: number, n: number, ms: number, late: number): MetricsBatch {
  const start = Date.now() - (Date.now() % 60_000);
  return {
    partition: 0,
    firstOffset: first,
    lastOffset: first + n - 1,
    windows: [
      {
        start,
        transactions: n,
        lines: n,
        revenueCents: 100 * n,
        byStore: { '1': { transactions: n, revenueCents: 100 * n } },
        byCategory: { Dairy: 100 * n },
        byProduct: { '7': { quantity: n, revenueCents: 100 * n } },
      },
    ],
    late: { records: late, revenueCents: 0 },
    latency: { [latencyBucket(ms)]: n },
  };
}

describe('live metrics per interval', () => {
  it('latency quantiles and late events of the last interval only, not since the start', async () => {
    const store = new MemoryMetrics();
    const live = new LiveMetrics(
      () => store,
      () => ({ stores: {}, products: {} }),
    );
    await store.apply(batch(0, 1000, 5_000, 40));
    const first = await live.snapshot(15, true);
    assert.equal(first.interval, null, 'one tick is no interval yet');
    await store.apply(batch(1000, 10, 20, 2));
    const second = await live.snapshot(15, true);
    assert.equal(second.interval!.transactions, 10);
    assert.equal(second.interval!.lateRecords, 2);
    assert.ok(
      second.interval!.latencyMs.p99! <= 22,
      `p99 of this interval is ~20 ms, got ${second.interval!.latencyMs.p99}`,
    );
    assert.ok(second.latencyMs.p50! >= 4_500, 'the cumulative figure still says seconds');
    assert.equal(second.lateRecords, 42);
    const quiet = await live.snapshot(15, true);
    assert.deepEqual(quiet.interval, {
      ms: quiet.interval!.ms,
      transactions: 0,
      lateRecords: 0,
      latencyMs: { p50: null, p99: null },
    });
    // A read between ticks (the Live page opening) shows the last interval without closing one.
    assert.deepEqual((await live.snapshot(15)).interval, quiet.interval);
  });

  it('a store that went back (reset) gives no interval rather than a negative one', async () => {
    const store = new MemoryMetrics();
    const live = new LiveMetrics(
      () => store,
      () => ({ stores: {}, products: {} }),
    );
    await store.apply(batch(0, 100, 10, 5));
    await live.snapshot(15, true);
    await store.reset();
    assert.equal((await live.snapshot(15, true)).interval, null);
  });
});
