import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PulseError } from '../../errors';
import { marker, parseMarker, resolveChain, type MarkerKind } from './checkpointChain';

const m = (first: number, last: number, kind: MarkerKind = 'done') => marker(0, first, last, kind);
const ranges = (ms: { first: number; last: number; kind: string }[]) => ms.map((x) => `${x.first}-${x.last}:${x.kind}`);

describe('checkpoint chain', () => {
  it('names markers by range and parses them back, refusing other keys', () => {
    const d = marker(3, 100, 199, 'done');
    assert.equal(d.key, '_checkpoint/offsets/p=3/100-199.done.json');
    assert.deepEqual(parseMarker(d.key), d);
    for (const bad of [
      '_checkpoint/offsets/p=3/199-100.done.json',
      '_checkpoint/offsets/p=3/100-199.other.json',
      'bronze/sales_transactions/date=2026-01-01/hour=01/3-100-199.parquet',
      'elsewhere/p=3/100-199.done.json',
    ])
      assert.equal(parseMarker(bad), null, bad);
  });

  it('an empty partition starts at 0; a committed chain resumes after its last range', () => {
    assert.deepEqual(resolveChain(0, []).next, 0);
    assert.equal(resolveChain(0, []).empty, true);
    const r = resolveChain(0, [m(0, 99), m(0, 99, 'intent'), m(100, 149), m(100, 149, 'intent'), m(150, 200, 'gap')]);
    assert.equal(r.next, 201);
    assert.deepEqual(ranges(r.chain), ['0-99:done', '100-149:done', '150-200:gap']);
    assert.deepEqual(r.stale.length, 2, "the committed ranges' intents are superseded");
    assert.deepEqual([r.discard, r.head], [[], []]);
  });

  it('a crash mid-flush leaves an intent past the chain: its files go, the range is read again', () => {
    const r = resolveChain(0, [m(0, 99), m(100, 180, 'intent')]);
    assert.equal(r.next, 100);
    assert.deepEqual(ranges(r.head), ['100-180:intent']);
  });

  it("a previous owner's late range beside this owner's: the chain reaching furthest wins, the other is discarded", () => {
    // The new owner resumed at 100 and wrote on; the old owner's in-flight write for 100-139 landed late.
    const r = resolveChain(0, [m(0, 99), m(100, 139), m(100, 159), m(160, 220)]);
    assert.equal(r.next, 221);
    assert.deepEqual(ranges(r.chain), ['0-99:done', '100-159:done', '160-220:done']);
    assert.deepEqual(ranges(r.discard), ['100-139:done']);
    // The same late range again, this time reaching further than the new owner's own.
    const other = resolveChain(0, [m(0, 99), m(100, 139), m(140, 300), m(100, 159)]);
    assert.equal(other.next, 301);
    assert.deepEqual(ranges(other.discard), ['100-159:done']);
  });

  it('a base covers everything below it; what it superseded is stale, files kept', () => {
    const r = resolveChain(0, [m(0, 499, 'base'), m(0, 99), m(100, 499), m(300, 499, 'intent'), m(500, 599)]);
    assert.equal(r.next, 600);
    assert.deepEqual(ranges(r.chain), ['0-499:base', '500-599:done']);
    assert.equal(r.stale.length, 3);
    assert.deepEqual(r.discard, []);
  });

  it('of two bases (a compaction interrupted before its cleanup) the furthest chain wins', () => {
    const r = resolveChain(0, [m(0, 199, 'base'), m(0, 399, 'base'), m(200, 399), m(400, 450)]);
    assert.equal(r.next, 451);
    assert.deepEqual(ranges(r.chain), ['0-399:base', '400-450:done']);
    assert.deepEqual(r.stale.sort(), [m(0, 199, 'base').key, m(200, 399).key].sort());
  });

  it('a hole in the chain is refused with what to do, never guessed over', () => {
    assert.throws(
      () => resolveChain(2, [m(0, 99), m(200, 299)]),
      (e: unknown) =>
        e instanceof PulseError &&
        e.code === 'offsets_conflict' &&
        /partition 2: .*offsets up to 99, but has markers from 200 on/.test(e.message) &&
        /Restore the lake's _checkpoint\/ folder/.test(e.message),
    );
  });

  it('settles a chain of 100,000 ranges without deep recursion', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => m(i * 10, i * 10 + 9));
    assert.equal(resolveChain(0, many.reverse()).next, 1_000_000);
  });
});
