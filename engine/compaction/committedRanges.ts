import type { Lake } from '../services/lake/port';
import { markersByPartition, rangeOf, resolveChain } from '../stages/stream/checkpointChain';
import type { Covered } from './compactionKeys';

/** What the stream's checkpoint says of one partition, read without changing anything. */
export interface PartitionOffsets {
  /** The first offset the lake does not hold: files past it are not the lake's yet. */
  next: number;
  /** Ranges of done markers on the chain: their files are the lake's. */
  links: Set<string>;
  /** Everything up to here was folded into the base marker (no per-range markers any more). */
  baseLast: number;
  /** The chain could not be resolved (a hole): nothing of this partition is compacted. */
  problem?: string;
}

/**
 * The lake's offsets as the stream's checkpoint holds them, from one listing of `_checkpoint/offsets/`
 * and the same resolution the stream makes (checkpointChain.ts), but read-only: compaction takes a
 * batch file only when its range is on a partition's chain, so a crash's leftover or a previous
 * owner's late write (which the stream removes itself) is never merged.
 */
export async function committedRanges(lake: Lake): Promise<Map<number, PartitionOffsets>> {
  const byPartition = await markersByPartition(lake);
  const out = new Map<number, PartitionOffsets>();
  for (const [p, markers] of byPartition) {
    try {
      const r = resolveChain(p, markers);
      const base = r.chain[0]?.kind === 'base' ? r.chain[0].last : -1;
      out.set(p, {
        next: r.next,
        links: new Set(r.chain.filter((m) => m.kind === 'done').map(rangeOf)),
        baseLast: base,
      });
    } catch (err) {
      out.set(p, { next: 0, links: new Set(), baseLast: -1, problem: (err as Error).message });
    }
  }
  return out;
}

/** The range is the lake's: a done range on its partition's chain, or folded into its base. */
export function isCommitted(offsets: ReadonlyMap<number, PartitionOffsets>, r: Covered): boolean {
  const o = offsets.get(r.partition);
  if (!o || o.problem || r.last >= o.next) return false;
  return o.links.has(rangeOf(r)) || r.last <= o.baseLast;
}
