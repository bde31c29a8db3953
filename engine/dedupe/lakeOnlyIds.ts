import type { DuckDBConnection } from '@duckdb/node-api';
import type { Lake } from '../services/lake/port';
import type { ReplayIds } from '../quarantine/replay';
import { presentInSilver } from './silverIds';

/**
 * The id check of a replay run while no stream runs in this app: silver (exact) plus what this
 * replay itself accepted. A stream worker elsewhere holding a copy unwritten is the one case it
 * cannot see (the same window as between two stream workers, see IdIndex).
 */
export function lakeOnlyIds(lake: Lake, duck: DuckDBConnection): ReplayIds {
  const pending = new Map<string, number>();
  return {
    confirm: (ids) => presentInSilver(lake, duck, ids),
    claim: (owner, id) => !pending.has(id) && !!pending.set(id, owner),
    settled: (ids) => {
      for (const id of ids) pending.delete(id);
    },
    drop: (owner) => {
      for (const [id, o] of pending) if (o === owner) pending.delete(id);
    },
  };
}
