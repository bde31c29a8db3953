import { parseMarker, partitionPrefix, resolveChain, type Marker } from '../stages/stream/checkpointChain';
import type { Lake } from '../services/lake/port';

/**
 * Where the lake is, per partition: the first offset its checkpoint does not hold (the offsets the
 * stream trusts), read without changing anything (the stream itself cleans up a crash's leftovers
 * when it next takes the partition). Null for a partition whose checkpoint cannot be resolved.
 */
export async function lakeNext(lake: Lake, partitions: number): Promise<(number | null)[]> {
  return Promise.all(
    Array.from({ length: partitions }, async (_, p) => {
      const markers: Marker[] = [];
      for (const o of await lake.list(partitionPrefix(p))) {
        const m = parseMarker(o.key);
        if (m && m.partition === p) markers.push(m);
      }
      try {
        return resolveChain(p, markers).next;
      } catch {
        // A chain with a hole: the stream refuses it with what to do when it takes the partition.
        return null;
      }
    }),
  );
}
