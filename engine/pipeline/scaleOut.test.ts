import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '../config';
import { Host } from '../host';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { tmpDirs } from '../testing/tmpDirs';
import { assertReconciles, waitFor } from './pipelineHarness';

const tmp = tmpDirs('rp-scale-');
let setup: ExternalSetup | null = null;
after(async () => setup?.cleanup());

describe('more stream workers in the same consumer group', { timeout: 600_000 }, () => {
  it('splits the partitions when a second worker joins mid-stream, takes them back when it leaves, and loses or doubles nothing', async () => {
    setup = await freshExternal();
    // Two machines, as far as the engine can tell: separate data dirs, the same Kafka, S3, PostgreSQL, Redis.
    const a = await Host.open(resolveConfig({ ...setup.input, dataDir: tmp() }));
    const b = await Host.open(resolveConfig({ ...setup.input, dataDir: tmp() }));
    const owned = { a: [] as number[], b: [] as number[] };
    a.on(
      'stage.status',
      (s) => s.stage === 'stream' && s.counters.partitions !== undefined && owned.a.push(s.counters.partitions),
    );
    b.on(
      'stage.status',
      (s) => s.stage === 'stream' && s.counters.partitions !== undefined && owned.b.push(s.counters.partitions),
    );
    const consumed = (h: Host) =>
      h.call('stage.list', {}).then((l) => l.find((s) => s.stage === 'stream')!.counters.consumed ?? 0);
    try {
      await a.startStream();
      await a.startProducer({
        rate: 2500,
        seed: 11,
        limit: 35_000,
        faults: { malformed: 0, invalid: 0, late: 0, duplicate: 0.02 },
      });
      let aBefore = 0;
      await waitFor(() => (void consumed(a).then((n) => (aBefore = n)), aBefore > 3_000), 60_000);
      await b.startStream();
      await waitFor(() => owned.b.at(-1) === 2 && owned.a.at(-1) === 2, 60_000);
      let bConsumed = 0;
      await waitFor(() => (void consumed(b).then((n) => (bConsumed = n)), bConsumed > 2_000), 60_000);
      // The second worker leaves while sales still flow: what it had not committed is replayed by the first.
      await b.stopStream();
      await waitFor(() => owned.a.at(-1) === 4, 60_000);
      await a.producerDone();
      await a.drainStream();
      await a.stopStream();
      const etl = await a.runEtl();
      assert.equal(etl.status, 'succeeded', etl.error ?? '');
      const s = await a.summary();
      assert.equal(s.produced.valid_transactions, 35_000);
      assertReconciles(s);
      assert.ok(
        Math.abs(s.windows.revenue + s.windows.late_revenue - s.silver.revenue) <= 0.01,
        `windows ${s.windows.revenue} + late ${s.windows.late_revenue} vs silver ${s.silver.revenue}: the shared Redis windows count each sale once`,
      );
    } finally {
      await b.close();
      await a.close();
    }
  });
});
