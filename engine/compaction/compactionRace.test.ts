import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { configFromFlags } from '../cliConfig';
import { assertReconciles, pipeline, start, waitFor } from '../pipeline/pipelineHarness';
import { openDuck } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import { openLake, openWarehouse } from '../services/open';
import { tmpDirs } from '../testing/tmpDirs';
import { compactLake, type CompactStep } from './compactor';
import { readLog } from './compactionLog';
import { visibleKeys } from './lakeView';
import { assertSeenOnce, later, readerCounts } from './testing/compactionHarness';

const tmp = tmpDirs('rp-compaction-race-');
const config = (dir: string) => configFromFlags({ 'data-dir': dir });
const INIT_SQL = new URL('../../sql/init.sql', import.meta.url).pathname;

async function manifestOf(dir: string): Promise<string[]> {
  const w = await openWarehouse(config(dir), INIT_SQL);
  try {
    return await w.loadedFiles();
  } finally {
    await w.close();
  }
}

describe('compaction racing other writers of the lake', { timeout: 900_000 }, () => {
  it('two compactors merging the same hours at once: one commit per hour wins, the other gives its file up', async () => {
    const dir = tmp();
    const s = await pipeline(['--data-dir', dir, '--seconds', '6', '--rate', '1500', '--malformed-rate', '0.02']);
    const loaded = await manifestOf(dir);
    // Both write their files, then both commit: neither has seen the other's entry when it tries.
    let waiting = 0;
    let release!: () => void;
    const bothWritten = new Promise<void>((r) => (release = r));
    const onStep = async (step: CompactStep) => {
      if (step !== 'written') return;
      if (++waiting === 2) release();
      await bothWritten;
    };
    const run = async () =>
      compactLake(
        { lake: await openLake(config(dir)), duck: await openDuck(), loadedFiles: async () => loaded, onStep },
        { ...later(), graceMs: 0, targetBytes: 2 ** 40 },
      );
    // One folder per layer, so each runs one merge per layer: the barrier holds the first of each.
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.status, 'succeeded', a.error);
    assert.equal(b.status, 'succeeded', b.error);
    const wins = a.layers.bronze.filesOut + b.layers.bronze.filesOut;
    assert.equal(wins, 1, 'one compacted bronze file is committed for the hour');
    assert.ok(
      [...a.skipped, ...b.skipped].some((x) => /another compaction merged/.test(x.reason)),
      'the loser says why',
    );
    const lake = await openLake(config(dir));
    for (const layer of ['bronze', 'silver', 'quarantine'] as const)
      assert.equal((await readLog(lake, LAYERS[layer])).length, 1, `${layer}: one entry`);
    const on = (await lake.list(LAYERS.bronze)).map((o) => o.key);
    assert.deepEqual(on, await visibleKeys(lake, LAYERS.bronze), "the loser's file is gone, the sources too");
    assertSeenOnce(await readerCounts(config(dir)), {
      bronze: s.bronze.records,
      silver: s.silver.lines,
      quarantine: s.quarantine.records,
    });
  });

  it('compacting the hour the stream is writing, while it is killed and recovers: nothing lost or doubled', async () => {
    const dir = tmp();
    // Late events write to the hour before too; duplicates make the stream look into silver.
    const run = start([
      '--data-dir',
      dir,
      '--seconds',
      '25',
      '--rate',
      '2000',
      '--late-rate',
      '0.1',
      '--duplicate-rate',
      '0.02',
      '--malformed-rate',
      '0.01',
    ]);
    let stop = false;
    let merges = 0;
    // Compaction as if the hour were closed, as often as it can, with the stream still writing it.
    // The warehouse (PGlite) belongs to the running pipeline: silver counts as loaded here, which the
    // ETL's rule covers too (a compacted file none of whose files it loaded is loaded whole).
    const loop = (async () => {
      fs.mkdirSync(`${dir}/lake`, { recursive: true });
      const lake = await openLake(config(dir));
      const duck = await openDuck();
      while (!stop) {
        const r = await compactLake(
          { lake, duck, loadedFiles: async () => visibleKeys(lake, LAYERS.silver) },
          { ...later(), graceMs: 0 },
        );
        assert.equal(r.status, 'succeeded', r.error);
        merges += r.layers.bronze.filesOut + r.layers.silver.filesOut + r.layers.quarantine.filesOut;
        await new Promise((res) => setTimeout(res, 300));
      }
    })();
    await waitFor(
      () => run.stderrLines.some((l) => /files [1-9]\d/.test(l) && /produced [1-9]\d{4,} tx/.test(l)),
      120_000,
    );
    run.child.kill('SIGKILL');
    await run.exit;
    // Recovery removes the killed run's uncommitted files and reads their ranges again; compaction goes on.
    const recovered = await pipeline(['--data-dir', dir, '--seconds', '0']);
    stop = true;
    await loop;
    assert.ok(merges > 0, 'compaction merged files while the stream ran');
    assertReconciles(recovered);
    // Once more, compaction with the real manifest, then the pipeline: the ETL has nothing left to load.
    const loaded = await manifestOf(dir);
    const lake = await openLake(config(dir));
    const last = await compactLake(
      { lake, duck: await openDuck(), loadedFiles: async () => loaded },
      { ...later(), graceMs: 0 },
    );
    assert.equal(last.status, 'succeeded', last.error);
    const final = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assertReconciles(final);
    assert.equal(final.etl?.rowsInserted, 0);
    assert.equal(final.silver.lines, recovered.silver.lines);
  });
});
