import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlList, sqlString } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import type { CompactionEntry, CompactionLeaf } from './compactionLog';
import { lakeView, type LakeView } from './lakeView';

/** A silver file for the ETL to load whole: `key` goes into the manifest (and fact_sales.source_file). */
export interface SilverToLoad {
  key: string;
  /** A local path DuckDB reads: the lake's file, or rows cut out of a compacted file. */
  path: string;
}

const EXTRACTS = 'etl-compacted-parts';

/**
 * The ETL's rule with compaction (one rule, the manifest keyed by file): it reads silver as every
 * reader does (lakeView), and of a compacted file C it loads
 * - nothing, when C or every file C replaced is in the manifest (compaction merges silver only once
 *   the ETL has loaded it, so this is the usual case);
 * - all of C, under C's key, when none of it is (a new warehouse on an old lake);
 * - otherwise (a warehouse that loaded part of C's files before another warehouse was used), only
 *   the rows of the files it has not loaded, each under that file's key: cut out of C by their
 *   source partition and offsets, which are the rows that file held.
 * So the manifest stays exact, a row is never loaded twice, and none is lost.
 */
export async function silverToLoad(
  lake: Lake,
  duck: DuckDBConnection,
  loaded: ReadonlySet<string>,
): Promise<SilverToLoad[]> {
  const view = await lakeView(lake, LAYERS.silver);
  const statusOf = loadStatus(view, loaded);
  const whole: string[] = [];
  const partly: CompactionEntry[] = [];
  for (const o of view.visible) {
    const s = statusOf(o.key);
    if (s === 'none') whole.push(o.key);
    else if (s === 'some') partly.push(view.byOutput.get(o.key)!);
  }
  const paths = await lake.localPaths(whole);
  const out: SilverToLoad[] = whole.map((key, i) => ({ key, path: paths[i] }));
  // Parts cut out last time are not needed any more: the manifest has them now, or they are cut again.
  const dir = lake.scratchPath(EXTRACTS);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const e of partly) {
    const [local] = await lake.localPaths([e.output]);
    for (const unit of unloadedParts(e, view.byOutput, statusOf)) {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${out.length}.parquet`);
      const where = leavesWhere(unit.leaves);
      await duck.run(
        `COPY (SELECT * FROM read_parquet(${sqlList([local])}, hive_partitioning = false) WHERE ${where})
         TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      out.push({ key: unit.key, path: file });
    }
  }
  return out;
}

/** A WHERE condition for the rows the batch files `leaves` held (by source partition and offset). */
export const leavesWhere = (leaves: readonly CompactionLeaf[]): string =>
  leaves
    .map((l) => `(source_partition = ${l.partition} AND source_offset BETWEEN ${l.first} AND ${l.last})`)
    .join(' OR ');

export type LoadStatus = 'all' | 'none' | 'some';

/**
 * How much of a visible silver file the warehouse holds: all of it (its key, or every file it
 * replaced, is in the manifest), none, or some (a compacted file part of whose files were loaded).
 */
export function loadStatus(view: Pick<LakeView, 'byOutput'>, loaded: ReadonlySet<string>): (key: string) => LoadStatus {
  const status = new Map<string, LoadStatus>();
  const statusOf = (key: string): LoadStatus => {
    let s = status.get(key);
    if (s === undefined) {
      const e = view.byOutput.get(key);
      if (loaded.has(key)) s = 'all';
      else if (!e) s = 'none';
      else {
        const parts = new Set(e.sources.map((x) => statusOf(x.key)));
        s = parts.size === 1 ? [...parts][0] : 'some';
      }
      status.set(key, s);
    }
    return s;
  };
  return statusOf;
}

/** The topmost files under a partly loaded compaction that the warehouse has none of, with their batch files. */
export function unloadedParts(
  e: CompactionEntry,
  byOutput: ReadonlyMap<string, CompactionEntry>,
  statusOf: (key: string) => 'all' | 'none' | 'some',
): { key: string; leaves: CompactionLeaf[] }[] {
  return e.sources.flatMap((s) => {
    const st = statusOf(s.key);
    const inner = byOutput.get(s.key);
    if (st === 'all') return [];
    if (st === 'some') return unloadedParts(inner!, byOutput, statusOf);
    return [{ key: s.key, leaves: inner ? inner.leaves : e.leaves.filter((l) => l.key === s.key) }];
  });
}
