import type { DuckDBConnection } from '@duckdb/node-api';
import { ColumnBuffer, sqlList } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { visibleKeys } from '../compaction/lakeView';

/**
 * The transaction ids silver holds are the durable record of every sale accepted, by any stream
 * worker or replay: the lake is exactly-once already, so it is the index, and nothing else needs
 * to be kept consistent with it.
 */

export async function silverKeys(lake: Lake): Promise<string[]> {
  // As compaction leaves it: a compacted file or the files it replaced, never both.
  return visibleKeys(lake, LAYERS.silver);
}

/** Which of `ids` the silver files `keys` (all of silver when absent) hold: exact. */
export async function presentInSilver(
  lake: Lake,
  duck: DuckDBConnection,
  ids: readonly string[],
  keys?: readonly string[],
): Promise<Set<string>> {
  const files = keys ?? (await silverKeys(lake));
  if (!ids.length || !files.length) return new Set();
  const wanted = new ColumnBuffer([['id', 'VARCHAR']]);
  for (const id of new Set(ids)) wanted.columns[0].push(id);
  await wanted.loadInto(duck, 'wanted_ids');
  const paths = await lake.localPaths(files);
  const r = await duck.runAndReadAll(
    `SELECT DISTINCT transaction_id FROM read_parquet(${sqlList(paths)}, union_by_name = true)
     WHERE transaction_id IN (SELECT id FROM wanted_ids)`,
  );
  return new Set(r.getRowsJS().map((row) => String(row[0])));
}

/** Every transaction id of the silver files `keys`, streamed chunk by chunk (memory stays flat). */
export async function forEachSilverId(
  lake: Lake,
  duck: DuckDBConnection,
  keys: readonly string[],
  visit: (id: string) => void,
): Promise<void> {
  if (!keys.length) return;
  const paths = await lake.localPaths(keys);
  const result = await duck.stream(
    `SELECT transaction_id FROM read_parquet(${sqlList(paths)}, union_by_name = true) WHERE line_no = 1`,
  );
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const id of chunk.getColumnValues(0)) visit(String(id));
  }
}
