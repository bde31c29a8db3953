import type { DuckDBConnection } from '@duckdb/node-api';
import { toErrorInfo, type ErrorInfo } from '../../errors';
import { sqlList } from '../../services/lake/duck';
import type { Lake } from '../../services/lake/port';

/**
 * The transaction ids in these silver files, oldest first, at most `capacity` of the newest: what
 * the duplicate check remembers of a partition when it takes it. The newest files hold far more
 * than the id horizon (a till re-sends within seconds).
 */
export async function readRecentIds(
  deps: { lake: Lake; duck: DuckDBConnection; onError?: (e: ErrorInfo) => void },
  keys: readonly string[],
  capacity: number,
): Promise<string[]> {
  if (!keys.length) return [];
  let paths: string[];
  try {
    paths = await deps.lake.localPaths(keys);
  } catch (err) {
    // A file the checkpoint names is gone: say so, and go on without the ids (the lake is still read exactly once).
    deps.onError?.(toErrorInfo(err));
    return [];
  }
  const reader = await deps.duck.runAndReadAll(
    `SELECT transaction_id, min(source_offset) o FROM read_parquet(${sqlList(paths)}) GROUP BY 1 ORDER BY o DESC LIMIT ${capacity}`,
  );
  return reader
    .getRowsJS()
    .map((r) => r[0] as string)
    .reverse();
}
