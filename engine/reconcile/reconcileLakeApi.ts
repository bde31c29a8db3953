import type { DuckDBConnection } from '@duckdb/node-api';
import type { WindowDelta, WindowView } from '../contract';
import { openLakeSqlDuck } from '../lakeBrowser/lakeSql';
import type { Lake } from '../services/lake/port';
import { readCheckpoint } from './checkpointRead';
import { LakeLedger } from './lakeLedger';
import { lakeView, type LakeView, type LakeViewInput } from './lakeView';
import { lakeLineage, type LakeLineage } from './lineage';
import { SilverMinutes } from './silverMinutes';

/** What the lake worker answers for reconciliation, lineage and the Live page's range. */
export interface ReconcileLakeApi {
  reconcileLake(input: LakeViewInput): Promise<LakeView>;
  lineage(q: { storeId: number; minute: number; limit: number }): Promise<LakeLineage>;
  /** 1-minute windows from silver for minutes starting in [from, to). */
  silverWindows(q: { from: number; to: number }): Promise<WindowView[]>;
  /** Revenue by category and product of some stores over [from, to), from silver (cents). */
  silverBreakdown(q: {
    from: number;
    to: number;
    stores: number[];
  }): Promise<{ byCategory: Record<string, number>; byProduct: WindowDelta['byProduct'] }>;
}

/**
 * The lake worker's reconciliation calls, over its own DuckDB (sandboxed to the lake's files like
 * lake SQL, opened at the first call). One call at a time: a connection runs one query at once, and
 * the ledger a refresh at once.
 */
export function reconcileLakeApi(lake: Lake, allowedDirs: string[]): ReconcileLakeApi {
  let opened: Promise<DuckDBConnection> | null = null;
  const duck = () => (opened ??= openLakeSqlDuck(allowedDirs));
  const ledger = new LakeLedger(lake, duck);
  const minutes = new SilverMinutes(lake, duck);
  let queue: Promise<unknown> = Promise.resolve();
  const one = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    reconcileLake: (input) =>
      one(async () => {
        // Markers first: a flush landing meanwhile shows as files past the checkpoint, never as missing files.
        const checkpoint = await readCheckpoint(lake);
        const files = {
          bronze: await ledger.files('bronze'),
          silver: await ledger.files('silver'),
          quarantine: await ledger.files('quarantine'),
        };
        return lakeView(files, checkpoint, input, { lake, duck, silverLog: ledger.compaction('silver') });
      }),
    lineage: (q) => one(() => lakeLineage({ lake, duck, ledger }, q)),
    silverWindows: (q) => one(() => minutes.windows(q.from, q.to)),
    silverBreakdown: (q) => one(() => minutes.breakdown(q.from, q.to, q.stores)),
  };
}
