import { PulseError } from '../../errors';
import { CHECKPOINT } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';

/*
 * The lake's offsets as markers beside the layers, one small object per flush and partition
 * (like Spark's _spark_metadata), named by the offset range they cover so a listing alone tells
 * the offsets:
 *   _checkpoint/offsets/p=<partition>/<first>-<last>.<kind>.json
 * - intent: written before a flush's files; lists the files it is about to write;
 * - done:   written once every file of the range is durable in all three layers: the range is in the lake;
 * - gap:    a range the log no longer had when the stream got there (retention): known to be missing;
 * - base:   a compaction: every offset from the partition's first to <last> is in the lake.
 * This module is pure: it turns a listing into the chain of ranges the lake holds.
 */

export type MarkerKind = 'intent' | 'done' | 'gap' | 'base';

export interface Marker {
  key: string;
  partition: number;
  first: number;
  last: number;
  kind: MarkerKind;
}

export const OFFSETS = `${CHECKPOINT}offsets/`;

export function partitionPrefix(partition: number): string {
  return `${OFFSETS}p=${partition}/`;
}

export function marker(partition: number, first: number, last: number, kind: MarkerKind): Marker {
  return { key: `${partitionPrefix(partition)}${first}-${last}.${kind}.json`, partition, first, last, kind };
}

const MARKER_KEY = /\/p=(\d+)\/(\d+)-(\d+)\.(intent|done|gap|base)\.json$/;

export function parseMarker(key: string): Marker | null {
  const m = MARKER_KEY.exec(key);
  if (!m || !key.startsWith(OFFSETS)) return null;
  const [first, last] = [Number(m[2]), Number(m[3])];
  return first <= last ? { key, partition: Number(m[1]), first, last, kind: m[4] as MarkerKind } : null;
}

/** Every marker of the lake's checkpoint, by partition, from one listing of `_checkpoint/offsets/`. */
export async function markersByPartition(lake: Pick<Lake, 'list'>): Promise<Map<number, Marker[]>> {
  const byPartition = new Map<number, Marker[]>();
  for (const o of await lake.list(OFFSETS)) {
    const m = parseMarker(o.key);
    if (!m) continue;
    const list = byPartition.get(m.partition) ?? [];
    list.push(m);
    byPartition.set(m.partition, list);
  }
  return byPartition;
}

export const rangeOf = (m: { first: number; last: number }): string => `${m.first}-${m.last}`;

export interface Resolution {
  /** The first offset the lake does not hold: where the stream resumes (0 when the partition has nothing). */
  next: number;
  /** No marker at all: the lake never held this partition. */
  empty: boolean;
  /** The accepted ranges from offset 0 up to `next`, in order (a base first, if any). */
  chain: Marker[];
  /** Superseded markers inside the chain's base: their files are in the lake, the markers go at the next compaction. */
  stale: string[];
  /** Markers off the chain (a stale owner's late write, a crash's leftover): their files and the marker go. */
  discard: Marker[];
  /** Uncommitted attempts at the head: their files go; the marker stays a while, so late files can still be swept. */
  head: Marker[];
  /** Ranges whose files belong to the lake: a discarded marker with the same range shares its file names. */
  kept: Set<string>;
}

/**
 * The ranges a partition's lake holds, from its markers. Of several chains through overlapping
 * markers (a previous owner's late write beside this owner's), the one reaching furthest wins;
 * every record is then on the chain exactly once. A marker past a hole in the chain cannot come
 * from the stream (it writes ranges in order): the checkpoint was edited or restored in part, and
 * guessing would lose or double data, so that is an error.
 */
export function resolveChain(partition: number, markers: readonly Marker[]): Resolution {
  const links = markers.filter((m) => m.kind !== 'intent');
  const byFirst = new Map<number, Marker[]>();
  for (const m of links) {
    // A base always starts at the partition's first offset; it is a link like any other.
    const list = byFirst.get(m.first) ?? [];
    list.push(m);
    byFirst.set(m.first, list);
  }
  const reachMemo = new Map<Marker, number>();
  const reach = (m: Marker): number => {
    let r = reachMemo.get(m);
    if (r === undefined) {
      r = Math.max(m.last, ...(byFirst.get(m.last + 1) ?? []).map(reach));
      reachMemo.set(m, r);
    }
    return r;
  };
  // Deepest chains first would recurse once per link: settle reaches from the highest offsets down.
  for (const m of [...links].sort((a, b) => b.first - a.first)) reach(m);

  const chain: Marker[] = [];
  let next = 0;
  for (;;) {
    const candidates = byFirst.get(next);
    if (!candidates?.length) break;
    const best = candidates.reduce((a, b) => (better(b, a, reach) ? b : a));
    chain.push(best);
    next = best.last + 1;
  }
  const on = new Set(chain);
  const kept = new Set(chain.map(rangeOf));
  const floor = chain[0]?.kind === 'base' ? chain[0].last : -1;
  const res: Resolution = { next, empty: markers.length === 0, chain, stale: [], discard: [], head: [], kept };
  for (const m of markers) {
    if (on.has(m)) continue;
    if (m.last <= floor) res.stale.push(m.key);
    else if (m.kind === 'intent' && kept.has(rangeOf(m))) res.stale.push(m.key);
    else if (m.kind === 'intent' && m.first >= next) res.head.push(m);
    else if (m.first < next) res.discard.push(m);
    else
      throw new PulseError(
        'offsets_conflict',
        `partition ${partition}: the lake's checkpoint holds ${next ? `offsets up to ${next - 1}` : 'nothing from offset 0'}, but has markers from ${m.first} on (${m.key}): part of ${OFFSETS} is missing. Restore the lake's _checkpoint/ folder together with the data it came with, or remove the markers from offset ${m.first} on to read that range again.`,
      );
  }
  return res;
}

/** Reach first; among equals the longer step (fewer markers), then a base, then a done range over a gap. */
function better(a: Marker, b: Marker, reach: (m: Marker) => number): boolean {
  const kind = (m: Marker) => (m.kind === 'base' ? 2 : m.kind === 'done' ? 1 : 0);
  return reach(a) !== reach(b) ? reach(a) > reach(b) : a.last !== b.last ? a.last > b.last : kind(a) > kind(b);
}
