import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readCatalogHistory } from '../../catalog/catalogHistory';
import type { EtlProgress, EtlResult } from '../../contract';
import { toErrorInfo } from '../../errors';
import { duckMemoryBytes, sqlList, sqlString } from '../../services/lake/duck';
import { memoryReports, notePart } from '../../util/threadMemory';
import { LAYERS, goldFileKey } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import { silverToLoad } from '../../compaction/etlSources';
import { visibleKeys } from '../../compaction/lakeView';
import type { WarehouseCalls } from '../../services/warehouse/port';
import { loadDimKeys, prepareChunk, type PreparedChunk } from './factChunk';

/** Rows per load transaction: big enough for COPY to pay off, small enough to show progress. */
const CHUNK_ROWS = 200_000;

/**
 * The ETL's DuckDB sorts one chunk (~200,000 rows, ~40 MB) at a time: at its default limit it kept
 * ~245 MB of buffers through a 4 M-line load (npm run bench -- --etl); past this it spills to disk.
 */
export const ETL_DUCK_MEMORY_LIMIT = '128MB';

/**
 * silver → star schema, exactly once: each chunk of silver files is loaded in one transaction
 * together with its manifest rows (loadSql.ts), its rows copied straight into fact_sales with their
 * keys resolved here (factChunk.ts). DuckDB prepares the next chunk while the warehouse loads this
 * one. Then the daily gold aggregates of the dates it touched are rewritten in the lake.
 */
export async function runEtl(deps: {
  lake: Lake;
  duck: DuckDBConnection;
  warehouse: WarehouseCalls;
  onProgress?: (p: EtlProgress) => void;
}): Promise<EtlResult> {
  const { lake, duck, warehouse } = deps;
  // Benches only (threadMemory.ts): DuckDB's buffers once a chunk is sorted, read within the run.
  const measureDuck = memoryReports() ? () => notePart('duckdb', () => duckMemoryBytes(duck)) : undefined;
  const runId = `etl-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const started = performance.now();
  const progress: EtlProgress = { runId, phase: 'planning', filesDone: 0, filesTotal: 0, rowsDone: 0, rowsTotal: 0 };
  const report = (): void => deps.onProgress?.({ ...progress });
  const result: EtlResult = {
    runId,
    status: 'succeeded',
    files: 0,
    rowsInserted: 0,
    rowsSkipped: 0,
    goldFiles: 0,
    durationMs: 0,
  };
  await warehouse.beginRun(runId);
  report();
  try {
    // Dims first: every catalog version a silver line may name is in the warehouse before its facts.
    await warehouse.syncCatalog(await readCatalogHistory(lake));
    // Silver as compaction leaves it, less what the manifest has (compaction/etlSources.ts says how).
    const toLoad = await silverToLoad(lake, duck, new Set(await warehouse.loadedFiles()));
    const pending = toLoad.map((f) => f.key);
    const local = toLoad.map((f) => f.path);
    const rows = await rowCounts(duck, local);
    const files = pending.map((key, i) => ({ key, path: local[i], rows: rows.get(local[i]) ?? 0 }));
    progress.filesTotal = files.length;
    progress.rowsTotal = files.reduce((s, f) => s + f.rows, 0);
    progress.phase = 'loading';
    report();

    const keys = await warehouse.dimKeys();
    await loadDimKeys(duck, keys);
    const chunks = [...chunksOf(files, CHUNK_ROWS)];
    const prepare = (i: number): Promise<PreparedChunk> | null =>
      i < chunks.length
        ? prepareChunk(duck, keys, chunks[i], lake.scratchPath(`${randomUUID()}.pgcopy`), measureDuck)
        : null;
    let next = prepare(0);
    try {
      for (let i = 0; next; i++) {
        const chunk = await next;
        next = prepare(i + 1);
        try {
          const r = await warehouse.loadChunk({ runId, ...chunk });
          result.rowsInserted += r.inserted;
          result.rowsSkipped += r.skipped;
        } finally {
          fs.rmSync(chunk.facts.path, { force: true });
        }
        result.files += chunk.files.length;
        progress.filesDone += chunk.files.length;
        progress.rowsDone += chunk.facts.rows;
        report();
      }
    } finally {
      // A chunk prepared for a load that failed: its scratch file goes too.
      await next?.then(
        (c) => fs.rmSync(c.facts.path, { force: true }),
        () => undefined,
      );
    }

    progress.phase = 'gold';
    report();
    const dates = [
      ...new Set(files.map((f) => /date=(\d{4}-\d{2}-\d{2})/.exec(f.key)?.[1]).filter((d): d is string => !!d)),
    ].sort();
    for (const date of dates) {
      await writeGoldDay(duck, lake, date);
      result.goldFiles++;
    }
    if (files.length) await warehouse.maintain();
    progress.phase = 'done';
    report();
  } catch (err) {
    result.status = 'failed';
    result.errorInfo = toErrorInfo(err);
    result.error = result.errorInfo.message;
  }
  result.durationMs = Math.round(performance.now() - started);
  await warehouse.finishRun({
    runId,
    status: result.status,
    files: result.files,
    inserted: result.rowsInserted,
    skipped: result.rowsSkipped,
    error: result.error,
  });
  return result;
}

async function rowCounts(duck: DuckDBConnection, paths: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < paths.length; i += 500) {
    const slice = paths.slice(i, i + 500);
    const r = await duck.runAndReadAll(`SELECT file_name, num_rows FROM parquet_file_metadata(${sqlList(slice)})`);
    for (const [name, n] of r.getRowsJS()) out.set(String(name), Number(n));
  }
  return out;
}

function* chunksOf<T extends { rows: number }>(files: T[], maxRows: number): Generator<T[]> {
  let chunk: T[] = [];
  let rows = 0;
  for (const f of files) {
    if (chunk.length && rows + f.rows > maxRows) {
      yield chunk;
      chunk = [];
      rows = 0;
    }
    chunk.push(f);
    rows += f.rows;
  }
  if (chunk.length) yield chunk;
}

/** gold/daily_sales/date=D: revenue, transactions, lines and units per store and category for one day. */
async function writeGoldDay(duck: DuckDBConnection, lake: Lake, date: string): Promise<void> {
  const keys = await visibleKeys(lake, `${LAYERS.silver}date=${date}/`);
  if (!keys.length) return;
  const local = await lake.localPaths(keys);
  const scratch = lake.scratchPath(`${randomUUID()}.parquet`);
  await duck.run(`COPY (
      SELECT ${sqlString(date)}::DATE AS sale_date, store_id, store_name, city, category,
        count(DISTINCT transaction_id) AS transactions, count(*) AS lines, sum(quantity) AS units, sum(line_amount) AS revenue
      FROM read_parquet(${sqlList(local)}, union_by_name = true) GROUP BY ALL ORDER BY store_id, category)
    TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION zstd)`);
  await lake.put(goldFileKey(date), scratch);
}
