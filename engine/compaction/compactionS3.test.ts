import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../config';
import type { PipelineSummary } from '../contract';
import { assertReconciles, pipeline } from '../pipeline/pipelineHarness';
import { LAYERS } from '../services/lake/keys';
import { openLake } from '../services/open';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { tmpDirs } from '../testing/tmpDirs';
import type { CompactStep } from './compactor';
import { isCompactedKey } from './compactionKeys';
import { readLog } from './compactionLog';
import { assertSeenOnce, compactInChild, later, parquetOnDisk, readerCounts } from './testing/compactionHarness';

const tmp = tmpDirs('rp-compaction-s3-');
const setups: ExternalSetup[] = [];
after(async () => {
  for (const s of setups) await s.cleanup();
});
const totals = (s: PipelineSummary) => ({
  bronze: s.bronze.records,
  silver: s.silver.lines,
  quarantine: s.quarantine.records,
});

describe('compaction on real Kafka, S3 (moto) and PostgreSQL', { timeout: 900_000 }, () => {
  it('killed at each step while the lake grows, each run merging new files into the last compacted ones', async () => {
    const x = await freshExternal();
    setups.push(x);
    const dir = tmp();
    const config = loadConfig({ ...x.input, dataDir: dir });
    const more = (seconds: number) =>
      pipeline(
        [
          '--data-dir',
          dir,
          ...x.args,
          '--seconds',
          String(seconds),
          '--rate',
          '1500',
          '--malformed-rate',
          '0.02',
          '--duplicate-rate',
          '0.02',
          '--late-rate',
          '0.05',
        ],
        x.env,
      );
    let s = await more(4);
    for (const step of ['planned', 'written', 'committed', 'cleaning'] as CompactStep[]) {
      const killed = await compactInChild(config, later({ graceMs: 0 }), step);
      assert.equal(killed.result, null, `killed at ${step}`);
      assertSeenOnce(await readerCounts(config), totals(s));
      // More sales into the same hours: the next run merges them with what the last one compacted.
      s = await more(2);
      assertReconciles(s);
      assertSeenOnce(await readerCounts(config), totals(s));
    }
    const done = await compactInChild(config, later({ graceMs: 0, orphanMs: 0 }));
    assert.equal(done.result!.status, 'succeeded', done.result!.error);
    await compactInChild(config, later({ graceMs: 0, orphanMs: 0 }));
    const lake = await openLake(config);
    assert.ok((await readLog(lake, LAYERS.silver)).length >= 2, 'silver was compacted more than once');
    const left = (await parquetOnDisk(config)).filter((k) => !k.startsWith(LAYERS.gold));
    assert.ok(left.every(isCompactedKey), `only compacted files are left:\n${left.join('\n')}`);
    assertSeenOnce(await readerCounts(config), totals(s));
    const final = await more(0);
    assertReconciles(final);
    assert.equal(final.etl?.rowsInserted, 0);
    assert.deepEqual(totals(final), totals(s));
  });
});
