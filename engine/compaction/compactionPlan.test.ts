import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LakeObject } from '../services/lake/port';
import type { CompactionEntry } from './compactionLog';
import { loadedTest, planFolder, type FolderState, type PlanOptions } from './compactionPlan';
import type { PartitionOffsets } from './committedRanges';

const F = 'bronze/sales_transactions/date=2026-03-01/hour=09/';
const HOUR_END = Date.parse('2026-03-01T10:00:00Z');
const OPTS: PlanOptions = { now: HOUR_END + 3_600_000, closeAfterMs: 600_000, settleMs: 300_000, targetBytes: 1000 };
const file = (name: string, size = 100, modifiedMs = HOUR_END): LakeObject => ({ key: F + name, size, modifiedMs });
/** Partitions 0 and 1 committed up to offset 99 by done ranges of ten. */
const offsets = (): Map<number, PartitionOffsets> =>
  new Map(
    [0, 1].map((p) => [
      p,
      { next: 100, links: new Set(Array.from({ length: 10 }, (_, i) => `${i * 10}-${i * 10 + 9}`)), baseLast: -1 },
    ]),
  );
const state = (files: LakeObject[], over: Partial<FolderState> = {}): FolderState => ({
  folder: F,
  files,
  byOutput: new Map(),
  offsets: offsets(),
  ...over,
});
const names = (bins: { key: string }[][]) => bins.map((b) => b.map((f) => f.key.slice(F.length)));

describe('which files of an hour compaction merges', () => {
  it('a closed hour: committed files in partition and offset order, packed up to the target size', () => {
    const files = ['1-0-9', '0-10-19', '0-0-9', '0-20-29', '1-10-19'].map((n) => file(`${n}.parquet`, 400));
    const plan = planFolder(state(files), OPTS);
    assert.deepEqual(names(plan.bins), [
      ['0-0-9.parquet', '0-10-19.parquet'],
      ['0-20-29.parquet', '1-0-9.parquet'],
    ]);
    assert.equal(plan.waiting, 0, 'the lone last file is not waiting: it has nothing to merge with');
  });

  it('an hour is not closed until closeAfter past its end: nothing is taken', () => {
    const plan = planFolder(state([file('0-0-9.parquet'), file('0-10-19.parquet')]), {
      ...OPTS,
      now: HOUR_END + 599_000,
    });
    assert.deepEqual(plan.bins, []);
    assert.equal(plan.waiting, 2);
  });

  it('files past the checkpoint, off its chain, or too fresh wait', () => {
    const files = [
      file('0-0-9.parquet'),
      file('0-10-19.parquet'),
      file('0-100-109.parquet'), // past next: the stream has not marked it done
      file('1-5-14.parquet'), // not a done range: a crash's leftover or a previous owner's write
      file('1-0-4.parquet', 100, OPTS.now - 1000), // in the lake for a second only
    ];
    const plan = planFolder(state(files), OPTS);
    assert.deepEqual(names(plan.bins), [['0-0-9.parquet', '0-10-19.parquet']]);
    assert.equal(plan.waiting, 3);
  });

  it('ranges folded into the base marker count as committed', () => {
    const o = offsets();
    o.set(0, { next: 100, links: new Set(), baseLast: 49 });
    const plan = planFolder(
      state([file('0-0-12.parquet'), file('0-13-49.parquet'), file('0-50-59.parquet')], { offsets: o }),
      OPTS,
    );
    assert.deepEqual(names(plan.bins), [['0-0-12.parquet', '0-13-49.parquet']]);
  });

  it('the same offsets in two files (a late write the stream has not swept yet): the hour waits, named', () => {
    const o = offsets();
    o.set(0, { next: 100, links: new Set(), baseLast: 99 });
    const plan = planFolder(
      state([file('0-0-9.parquet'), file('0-0-19.parquet'), file('1-0-9.parquet')], { offsets: o }),
      OPTS,
    );
    assert.deepEqual(plan.bins, []);
    assert.match(plan.skipped ?? '', /partition 0 offsets 0–9 are in two files/);
  });

  it('replay files are left as they are; a compacted file is merged again only while it is small', () => {
    const small: CompactionEntry = {
      seq: 1,
      folder: F,
      output: `${F}compact_p0-0-19_2f_a.parquet`,
      rows: 2,
      bytes: 300,
      sources: [],
      leaves: [
        { key: `${F}0-0-9.parquet`, partition: 0, first: 0, last: 9, rows: 1 },
        { key: `${F}0-10-19.parquet`, partition: 0, first: 10, last: 19, rows: 1 },
      ],
      writer: 't',
      at: '',
      atMs: 0,
    };
    const big = {
      ...small,
      seq: 2,
      output: `${F}compact_p1-0-19_2f_b.parquet`,
      leaves: [{ ...small.leaves[0], partition: 1 }],
    };
    const files = [
      file('compact_p0-0-19_2f_a.parquet', 300),
      file('compact_p1-0-19_2f_b.parquet', 600),
      file('0-20-29.parquet'),
      file('replay-r1-0.parquet'),
    ];
    const plan = planFolder(
      state(files, {
        byOutput: new Map([
          [small.output, small],
          [big.output, big],
        ]),
      }),
      OPTS,
    );
    assert.deepEqual(names(plan.bins), [['compact_p0-0-19_2f_a.parquet', '0-20-29.parquet']]);
  });

  it('silver waits for the ETL: a file is taken once the manifest has it, or every file a compacted one replaced', () => {
    const sv = (n: string) => ({ key: n, rows: 0, bytes: 0 });
    const e: CompactionEntry = {
      seq: 1,
      folder: F,
      output: 'C',
      rows: 0,
      bytes: 0,
      sources: [sv('a'), sv('b')],
      leaves: [],
      writer: 't',
      at: '',
      atMs: 0,
    };
    const test = loadedTest(new Set(['a', 'b', 'x']), new Map([['C', e]]));
    assert.deepEqual(['a', 'x', 'y', 'C'].map(test), [true, true, false, true]);
    assert.equal(loadedTest(new Set(['a']), new Map([['C', e]]))('C'), false);
    const plan = planFolder(state([file('0-0-9.parquet'), file('0-10-19.parquet')], { loaded: null }), OPTS);
    assert.deepEqual(plan.bins, [], 'no warehouse answer: silver waits');
    assert.equal(plan.waiting, 2);
  });
});
