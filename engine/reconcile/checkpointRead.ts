import { PulseError } from '../errors';
import type { Lake } from '../services/lake/port';
import { markersByPartition, resolveChain } from '../stages/stream/checkpointChain';

/** One partition's offsets as the lake's checkpoint markers say, read without changing anything. */
export interface CheckpointView {
  partition: number;
  /** The first offset the lake does not hold; null when the markers cannot be resolved. */
  next: number | null;
  /** Ranges the stream recorded as removed by retention before it read them (gap markers still listed). */
  gaps: { from: number; to: number }[];
  /** Flushes begun past the checkpoint (an intent without its done marker): writing now, or a crash's leftover. */
  intents: { from: number; to: number }[];
  /** What the resolution refused (a hole in the markers). */
  problem: string | null;
}

/**
 * The lake's checkpoint, every partition at once: one listing of `_checkpoint/offsets/`, resolved
 * per partition as the stream resolves it (resolveChain), but read-only: the stream's own load
 * removes a crash's leftovers, this only reports them.
 */
export async function readCheckpoint(lake: Lake): Promise<Map<number, CheckpointView>> {
  const byPartition = await markersByPartition(lake);
  const out = new Map<number, CheckpointView>();
  for (const [partition, markers] of byPartition) {
    try {
      const r = resolveChain(partition, markers);
      out.set(partition, {
        partition,
        next: r.next,
        gaps: r.chain.filter((m) => m.kind === 'gap').map((m) => ({ from: m.first, to: m.last })),
        intents: r.head.map((m) => ({ from: m.first, to: m.last })),
        problem: null,
      });
    } catch (err) {
      if (!(err instanceof PulseError)) throw err;
      out.set(partition, { partition, next: null, gaps: [], intents: [], problem: err.message });
    }
  }
  return out;
}
