import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsContract, sampleBatch } from './metrics.contract';
import { MemoryMetrics } from './memoryMetrics';

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
});
