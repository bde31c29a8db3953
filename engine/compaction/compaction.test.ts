import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { configFromFlags } from '../cliConfig';
import type { PipelineSummary } from '../contract';
import { listLake } from '../lakeBrowser/lakeBrowser';
import { assertReconciles, pipeline } from '../pipeline/pipelineHarness';
import { LAYERS } from '../services/lake/keys';
import { openLake } from '../services/open';
import { tmpDirs } from '../testing/tmpDirs';
import { importFiles } from '../ingest/importFiles';
import { LogBroker } from '../services/broker/log/logBroker';
import type { CompactStep } from './compactor';
import { folderOf, isCompactedKey } from './compactionKeys';
import {
  assertSeenOnce,
  compactInChild,
  copyDataDir,
  later,
  parquetOnDisk,
  readerCounts,
} from './testing/compactionHarness';

const tmp = tmpDirs('rp-compaction-');
const config = (dir: string) => configFromFlags({ 'data-dir': dir });
const totals = (s: PipelineSummary) => ({
  bronze: s.bronze.records,
  silver: s.silver.lines,
  quarantine: s.quarantine.records,
});

/** One pipeline run with every kind of fault, stopped: each test works on a copy of it. */
let template: string;
let produced: PipelineSummary;
before(async () => {
  template = tmp();
  produced = await pipeline([
    '--data-dir',
    template,
    '--seconds',
    '8',
    '--rate',
    '1500',
    '--malformed-rate',
    '0.02',
    '--duplicate-rate',
    '0.02',
    '--late-rate',
    '0.05',
  ]);
  assertReconciles(produced);
});

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

function copy(): string {
  const dir = tmp();
  fs.rmSync(dir, { recursive: true });
  copyDataDir(template, dir);
  return dir;
}

describe('compaction of the lake on the embedded services', { timeout: 900_000 }, () => {
  it('merges each closed hour once; every reader counts the same during and after; the ETL loads nothing again', async () => {
    const dir = copy();
    const onDisk = await parquetOnDisk(config(dir));
    const first = await compactInChild(config(dir), later());
    const merged = first.result!;
    assert.equal(first.result?.status, 'succeeded', first.result?.error);
    for (const layer of ['bronze', 'silver', 'quarantine'] as const) {
      const l = merged.layers[layer];
      assert.ok(l.filesIn > l.filesOut && l.filesOut >= 1, `${layer}: ${l.filesIn} files into ${l.filesOut}`);
      assert.equal(l.rows, totals(produced)[layer], `${layer}: every row merged`);
    }
    // The replaced files are still there (their grace period), yet no reader counts them.
    assert.equal(first.result!.pendingCleanup, onDisk.filter((k) => !k.startsWith(LAYERS.gold)).length);
    assertSeenOnce(await readerCounts(config(dir)), totals(produced));
    // The lake browser shows the compacted file and what it holds, not the files it replaced.
    const lake = await openLake(config(dir));
    const silverFile = (await parquetOnDisk(config(dir))).find(
      (k) => k.startsWith(LAYERS.silver) && isCompactedKey(k),
    )!;
    const listing = await listLake(lake, folderOf(silverFile));
    assert.ok(listing.files.every((f) => isCompactedKey(f.key) && f.compacted && f.compacted.files > 1));

    // A later run: nothing new to merge; the replaced files go once their grace period is over.
    const second = await compactInChild(config(dir), later({ graceMs: 0 }));
    assert.equal(second.result!.layers.silver.filesIn, 0);
    assert.equal(second.result!.cleaned, first.result!.pendingCleanup);
    const left = await parquetOnDisk(config(dir));
    assert.ok(left.filter((k) => !k.startsWith(LAYERS.gold)).every(isCompactedKey), left.join('\n'));
    assertSeenOnce(await readerCounts(config(dir)), totals(produced));

    // The whole pipeline again: everything reconciles, the ETL finds nothing to load.
    const again = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assertReconciles(again);
    assert.equal(again.etl?.rowsInserted, 0);
    assert.equal(again.etl?.files, 0);
    assert.deepEqual(totals(again), totals(produced));
  });

  it('a duplicate of a sale that only a compacted file holds is still caught, after a restart', async () => {
    const dir = copy();
    await compactInChild(config(dir), later({ graceMs: 0 }));
    await compactInChild(config(dir), later({ graceMs: 0 }));
    // Resend part of the log's sales (whatever the stream made of them) as new records: hours later, imported.
    const file = path.join(dir, 'resend.ndjson');
    const broker = new LogBroker(path.join(dir, 'broker'));
    const lines: string[] = [];
    await broker.scan('sales_transactions', 0, 0, 300, (records) => {
      for (const r of records) if (parses(r.value)) lines.push(r.value);
    });
    await broker.close();
    fs.writeFileSync(file, lines.join('\n') + '\n');
    await importFiles(config(dir), [file]);
    const s = await pipeline(['--data-dir', dir, '--seconds', '0']);
    assertReconciles(s);
    assert.equal(s.silver.lines, produced.silver.lines, 'no resent sale reached silver');
    assert.equal(
      s.quarantine.by_reason.duplicate_transaction,
      (produced.quarantine.by_reason.duplicate_transaction ?? 0) + lines.length,
      'every resent sale is a duplicate',
    );
  });

  for (const step of ['planned', 'written', 'committed', 'cleaning'] as CompactStep[])
    it(`killed with SIGKILL at "${step}": readers never count a row twice or miss one, and the next run finishes`, async () => {
      const dir = copy();
      const killed = await compactInChild(config(dir), later({ graceMs: 0 }), step);
      assert.equal(killed.result, null);
      assertSeenOnce(await readerCounts(config(dir)), totals(produced));
      const next = await compactInChild(config(dir), later({ graceMs: 0, orphanMs: 0 }));
      assert.equal(next.result!.status, 'succeeded');
      const after = await compactInChild(config(dir), later({ graceMs: 0, orphanMs: 0 }));
      assert.equal(
        after.result!.layers.bronze.filesIn + after.result!.layers.silver.filesIn,
        0,
        'nothing left to merge',
      );
      const left = (await parquetOnDisk(config(dir))).filter((k) => !k.startsWith(LAYERS.gold));
      assert.ok(left.every(isCompactedKey), `only compacted files are left:\n${left.join('\n')}`);
      assertSeenOnce(await readerCounts(config(dir)), totals(produced));
      const s = await pipeline(['--data-dir', dir, '--seconds', '0']);
      assertReconciles(s);
      assert.equal(s.etl?.rowsInserted, 0);
    });
});
