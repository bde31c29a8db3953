import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LakeObject } from '../services/lake/port';
import type { CompactionEntry } from './compactionLog';
import { resolveView } from './lakeView';

const F = 'silver/sales_lines/date=2026-03-01/hour=09/';
const obj = (name: string, folder = F): LakeObject => ({ key: folder + name, size: 10, modifiedMs: 0 });
const entry = (seq: number, output: string, sources: string[], folder = F): CompactionEntry => ({
  seq,
  folder,
  output: folder + output,
  rows: 0,
  bytes: 0,
  sources: sources.map((s) => ({ key: folder + s, rows: 0, bytes: 0 })),
  leaves: [],
  writer: 'test',
  at: '',
  atMs: 0,
});
const visible = (listing: LakeObject[], entries: CompactionEntry[]) =>
  resolveView(listing, entries).visible.map((o) => o.key.slice(o.key.lastIndexOf('/') + 1));

describe('what a reader of the lake reads while compaction runs and after', () => {
  const small = ['0-0-9.parquet', '0-10-19.parquet', '1-0-7.parquet'];
  const C1 = 'compact_p0-0-19_p1-0-7_3f_aaaa.parquet';

  it('a compacted file no entry names (being written, or its run killed before the commit) is not read', () => {
    assert.deepEqual(
      visible(
        [...small, C1].map((n) => obj(n)),
        [],
      ),
      small,
    );
  });

  it('once its entry is committed, the compacted file is read instead of exactly the files it replaced', () => {
    const listing = [...small, '2-0-4.parquet', 'replay-x-0.parquet', C1].map((n) => obj(n));
    assert.deepEqual(visible(listing, [entry(1, C1, ['0-0-9.parquet', '0-10-19.parquet', '1-0-7.parquet'])]), [
      '2-0-4.parquet',
      'replay-x-0.parquet',
      C1,
    ]);
  });

  it('an entry whose output is not in the listing (listed before the output landed) hides nothing', () => {
    assert.deepEqual(
      visible(
        small.map((n) => obj(n)),
        [entry(1, C1, small)],
      ),
      small,
    );
  });

  it('after the replaced files are deleted the compacted file stands alone', () => {
    assert.deepEqual(visible([obj(C1)], [entry(1, C1, small)]), [C1]);
  });

  it('a second compaction over the first and late files: only the newest is read, even once the first is deleted', () => {
    const C2 = 'compact_p0-0-40_p1-0-7_4f_bbbb.parquet';
    const entries = [entry(1, C1, small), entry(2, C2, [C1, '0-30-40.parquet'])];
    // The first's sources still here, the first deleted (the second's cleanup ran before the first's).
    assert.deepEqual(
      visible(
        [...small, '0-30-40.parquet', C2].map((n) => obj(n)),
        entries,
      ),
      [C2],
    );
    assert.deepEqual(
      visible(
        [...small, C1, '0-30-40.parquet', C2].map((n) => obj(n)),
        entries,
      ),
      [C2],
    );
    // The second written but its entry not read yet: the first and the late file.
    assert.deepEqual(
      visible(
        [...small, '0-30-40.parquet', C1, C2].map((n) => obj(n)),
        entries.slice(0, 1),
      ),
      ['0-30-40.parquet', C1],
    );
  });

  it('folders are independent, and files that are not Parquet are never read', () => {
    const G = 'silver/sales_lines/date=2026-03-01/hour=10/';
    const listing = [obj('0-0-9.parquet'), obj('0-0-9.parquet', G), obj('notes.txt'), obj(C1)];
    assert.deepEqual(
      resolveView(listing, [entry(1, C1, ['0-0-9.parquet'])]).visible.map((o) => o.key),
      [G + '0-0-9.parquet', F + C1],
    );
  });
});
