import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck } from '../services/lake/duck';
import { FolderLake } from '../services/lake/folderLake';
import { batchFileKey } from '../services/lake/keys';
import { tmpDirs } from '../testing/tmpDirs';
import { listLake } from './lakeBrowser';
import { LakeCounter } from './lakeCounts';

const tmp = tmpDirs('rp-counts-');
let duck: DuckDBConnection;
before(async () => (duck = await openDuck()));
after(() => duck.closeSync());

/** A real Parquet file of `rows` rows at `key`, written the way the stream writes them (DuckDB, then put). */
async function file(lake: FolderLake, key: string, rows: number): Promise<void> {
  const local = lake.scratchPath(`${path.basename(key)}-${Math.random()}`);
  await duck.run(`COPY (SELECT range AS n FROM range(${rows})) TO '${local}' (FORMAT parquet)`);
  await lake.put(key, local);
}

describe('lake counts from footers', () => {
  it('sums the rows of bronze, silver and quarantine files, and follows files added and removed', async () => {
    const lake = new FolderLake(tmp());
    const hour = '2026-03-01/10';
    await file(lake, batchFileKey('bronze', hour, 0, 0, 99), 100);
    await file(lake, batchFileKey('bronze', hour, 1, 0, 49), 50);
    await file(lake, batchFileKey('silver', '2026-03-01/11', 0, 0, 99), 230);
    await file(lake, batchFileKey('quarantine', hour, 0, 7, 9), 3);
    const counter = new LakeCounter(lake);
    const first = await counter.counts();
    assert.deepEqual(
      { bronze: first.bronze, silver: first.silver, quarantine: first.quarantine },
      {
        bronze: { records: 150, files: 2 },
        silver: { lines: 230, files: 1 },
        quarantine: { records: 3, files: 1 },
      },
    );
    await file(lake, batchFileKey('bronze', hour, 0, 100, 119), 20);
    await lake.delete([batchFileKey('bronze', hour, 1, 0, 49)]);
    assert.deepEqual((await counter.counts()).bronze, { records: 120, files: 2 });
    // A new counter (an app restarted on the same lake) sees the same.
    assert.deepEqual((await new LakeCounter(lake).counts()).bronze, { records: 120, files: 2 });
  });

  it('an empty lake counts zero', async () => {
    const counts = await new LakeCounter(new FolderLake(tmp())).counts();
    assert.deepEqual(counts.silver, { lines: 0, files: 0 });
  });
});

describe('lake listing order', () => {
  it('lists files by partition and offset as numbers, not as text', async () => {
    const lake = new FolderLake(tmp());
    const hour = '2026-03-01/10';
    for (const [p, first, last] of [
      [0, 10773, 12000],
      [1, 0, 5],
      [0, 0, 2400],
      [0, 2401, 10772],
      [10, 0, 1],
      [2, 0, 9],
    ])
      await file(lake, batchFileKey('bronze', hour, p, first, last), 1);
    const listing = await listLake(lake, 'bronze/sales_transactions/date=2026-03-01/hour=10/');
    assert.deepEqual(
      listing.files.map((f) => path.basename(f.key)),
      [
        '0-0-2400.parquet',
        '0-2401-10772.parquet',
        '0-10773-12000.parquet',
        '1-0-5.parquet',
        '2-0-9.parquet',
        '10-0-1.parquet',
      ],
    );
  });
});
