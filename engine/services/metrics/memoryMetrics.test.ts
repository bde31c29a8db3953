import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsContract, sampleBatch } from './metrics.contract';
import { emptyWindow, MemoryMetrics, mergeWindow } from './memoryMetrics';

metricsContract('memory', async () => {
  const metrics = new MemoryMetrics();
  return { metrics, cleanup: () => metrics.close() };
});

describe('in-memory metrics', () => {
  it('lives in its process: a second instance starts empty and close() keeps nothing shared', async () => {
    const a = new MemoryMetrics();
    assert.equal(a.kind, 'memory');
    await a.apply(sampleBatch(0, 0, 9, 1));
    const b = new MemoryMetrics();
    assert.deepEqual(await b.windows(0), []);
    assert.equal(await b.apply(sampleBatch(0, 0, 9, 1)), true);
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
});
