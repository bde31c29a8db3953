import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readCatalogHistory } from '../../catalog/catalogHistory';
import type { EtlProgress, EtlResult } from '../../contract';
import { toErrorInfo } from '../../errors';
import { sqlList, sqlString } from '../../services/lake/duck';
import { LAYERS, goldFileKey } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import { silverToLoad } from '../../compaction/etlSources';
import { visibleKeys } from '../../compaction/lakeView';
import { STAGING_COLUMNS, type WarehouseCalls } from '../../services/warehouse/port';

/** Rows per load transaction: big enough for COPY to pay off, small enough to show progress. */
const CHUNK_ROWS = 200_000;

/**
 * silver → star schema, exactly once: each silver file is loaded in one transaction together with
 * its manifest row, and fact_sales ignores a (transaction_id, line_no) it already has. Then the
 * daily gold aggregates of the dates it touched are rewritten in the lake.
 */
export async function runEtl(deps: {
  lake: Lake;
  duck: DuckDBConnection;
  warehouse: WarehouseCalls;
  onProgress?: (p: EtlProgress) => void;
}): Promise<EtlResult> {
  const { lake, duck, warehouse } = deps;
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

    for (const chunk of chunksOf(files, CHUNK_ROWS)) {
      const csv = await stageCsv(duck, lake, chunk);
      const r = await warehouse.loadChunk({ runId, files: chunk.map((f) => ({ key: f.key, rows: f.rows })), csv });
      result.rowsInserted += r.inserted;
      result.rowsSkipped += r.skipped;
      result.files += chunk.length;
      progress.filesDone += chunk.length;
      progress.rowsDone += chunk.reduce((s, f) => s + f.rows, 0);
      report();
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

/** The chunk's silver lines as CSV in STAGING_COLUMNS order, each tagged with its lake key. */
async function stageCsv(
  duck: DuckDBConnection,
  lake: Lake,
  chunk: { key: string; path: string }[],
): Promise<Uint8Array> {
  const scratch = lake.scratchPath(`${randomUUID()}.csv`);
  const keyOf = `CASE filename ${chunk.map((f) => `WHEN ${sqlString(f.path)} THEN ${sqlString(f.key)}`).join(' ')} END`;
  // Silver written before catalogs had versions has no catalog_version: the warehouse reads NULL as the first one.
  const source = `read_parquet(${sqlList(chunk.map((f) => f.path))}, filename = true, union_by_name = true)`;
  const present = new Set(
    (await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowsJS().map((r) => String(r[0])),
  );
  const cols = STAGING_COLUMNS.map((c) =>
    c === 'source_file' ? `${keyOf} AS source_file` : present.has(c) ? c : `NULL AS ${c}`,
  ).join(', ');
  try {
    await duck.run(`COPY (SELECT ${cols} FROM ${source}) TO ${sqlString(scratch)} (FORMAT csv, HEADER false)`);
    return fs.readFileSync(scratch);
  } finally {
    fs.rmSync(scratch, { force: true });
  }
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
