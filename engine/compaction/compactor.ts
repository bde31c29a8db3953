import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { toErrorInfo } from '../errors';
import { sqlList, sqlString } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { COMPACTED_LAYERS, compactedKey, folderOf, isCompactedKey, type CompactedLayer } from './compactionKeys';
import { createEntry, type CompactionEntry, type CompactionLeaf, type CompactionSource } from './compactionLog';
import { loadedTest, planFolder, type FolderPlan, type PlannedSource, type PlanOptions } from './compactionPlan';
import type { CompactionProgress, CompactionResult } from '../compactionContract';
import { committedRanges } from './committedRanges';
import { lakeView } from './lakeView';

export interface CompactOptions extends Partial<PlanOptions> {
  /** Replaced files stay this long after their commit, for readers that listed before it. */
  graceMs?: number;
  /** A compacted file no commit names is removed once this old (a run killed between its write and its commit). */
  orphanMs?: number;
  /** Plan only: say what would be merged, write nothing. */
  dryRun?: boolean;
}

export const COMPACT_DEFAULTS = {
  closeAfterMs: 10 * 60_000,
  settleMs: 5 * 60_000,
  targetBytes: 128 * 1024 * 1024,
  graceMs: 15 * 60_000,
  orphanMs: 24 * 3_600_000,
};

/** The steps of a merge, in order: a test kills the process at each one. */
export type CompactStep = 'planned' | 'written' | 'committed' | 'cleaning';

export interface CompactDeps {
  lake: Lake;
  /** A DuckDB connection of its own. */
  duck: DuckDBConnection;
  /** Silver files the warehouse has loaded (its manifest); null when it does not answer. */
  loadedFiles: () => Promise<readonly string[] | null>;
  onProgress?: (p: CompactionProgress) => void;
  onStep?: (step: CompactStep, detail: string) => Promise<void> | void;
}

const emptyLayer = () => ({ folders: 0, filesIn: 0, filesOut: 0, bytesIn: 0, bytesOut: 0, rows: 0 });

/**
 * Merges each closed hour's small files into files of about `targetBytes`, exactly once. Per file:
 * write the merged file under a new name (readers ignore it: no commit names it), check its rows,
 * then commit by creating the folder's next log entry, which names exactly the files it replaces
 * (only one compactor can create it; the loser checks again and retries or gives up). Replaced
 * files are deleted by a later run, once the grace period is over. Killed anywhere, readers see the
 * old files or the new one, never both, and the next run finishes or redoes the work.
 */
export async function compactLake(deps: CompactDeps, options: CompactOptions = {}): Promise<CompactionResult> {
  const opts = { ...COMPACT_DEFAULTS, now: Date.now(), ...options };
  const runId = `compact-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const writer = `${os.hostname()}/${process.pid}/${runId.slice(-8)}`;
  const started = Date.now();
  const result: CompactionResult = {
    runId,
    status: 'succeeded',
    dryRun: !!opts.dryRun,
    startedAt: started,
    durationMs: 0,
    layers: { bronze: emptyLayer(), silver: emptyLayer(), quarantine: emptyLayer() },
    cleaned: 0,
    pendingCleanup: 0,
    orphans: 0,
    waiting: 0,
    skipped: [],
    notes: [],
  };
  const progress: CompactionProgress = {
    runId,
    phase: 'planning',
    foldersDone: 0,
    foldersTotal: 0,
    filesDone: 0,
    filesTotal: 0,
    bytesDone: 0,
    bytesTotal: 0,
    folder: null,
  };
  const report = () => deps.onProgress?.({ ...progress });
  report();
  try {
    const plans = await planLake(deps, opts, result);
    const work = plans.filter((p) => p.plan.bins.length);
    progress.foldersTotal = work.length;
    for (const { plan } of work)
      for (const bin of plan.bins) {
        progress.filesTotal += bin.length;
        progress.bytesTotal += bin.reduce((s, f) => s + f.bytes, 0);
      }
    if (opts.dryRun) {
      for (const { layer, plan } of work) {
        const l = result.layers[layer];
        l.folders++;
        l.filesOut += plan.bins.length;
        for (const bin of plan.bins) {
          l.filesIn += bin.length;
          l.bytesIn += bin.reduce((s, f) => s + f.bytes, 0);
        }
      }
    } else {
      progress.phase = 'merging';
      report();
      for (const { layer, plan } of work) {
        progress.folder = plan.folder;
        report();
        const l = result.layers[layer];
        for (const bin of plan.bins) {
          const merged = await mergeBin(deps, plan.folder, bin, writer);
          progress.filesDone += bin.length;
          progress.bytesDone += bin.reduce((s, f) => s + f.bytes, 0);
          report();
          if (!merged) {
            result.skipped.push({ folder: plan.folder, reason: 'another compaction merged some of these files first' });
            continue;
          }
          l.filesIn += bin.length;
          l.filesOut++;
          l.bytesIn += merged.sources.reduce((s, f) => s + f.bytes, 0);
          l.bytesOut += merged.bytes;
          l.rows += merged.rows;
        }
        l.folders++;
        progress.foldersDone++;
      }
      progress.folder = null;
      progress.phase = 'cleaning';
      report();
      for (const layer of COMPACTED_LAYERS) await cleanLayer(deps, layer, opts, result);
    }
  } catch (err) {
    result.status = 'failed';
    result.error = toErrorInfo(err).message;
  }
  progress.phase = 'done';
  report();
  result.durationMs = Date.now() - started;
  return result;
}

async function planLake(
  deps: CompactDeps,
  opts: PlanOptions,
  result: CompactionResult,
): Promise<{ layer: CompactedLayer; plan: FolderPlan }[]> {
  const offsets = await committedRanges(deps.lake);
  for (const [p, o] of offsets)
    if (o.problem) result.notes.push(`partition ${p} is left as it is: its checkpoint does not resolve (${o.problem})`);
  const manifest = await deps.loadedFiles().catch(() => null);
  if (!manifest)
    result.notes.push('the warehouse did not answer: silver is compacted once the ETL has loaded it, so it waits');
  const out: { layer: CompactedLayer; plan: FolderPlan }[] = [];
  for (const layer of COMPACTED_LAYERS) {
    const view = await lakeView(deps.lake, LAYERS[layer]);
    const byFolder = new Map<string, typeof view.visible>();
    for (const o of view.visible) {
      const f = folderOf(o.key);
      byFolder.set(f, [...(byFolder.get(f) ?? []), o]);
    }
    const loaded = layer !== 'silver' ? undefined : manifest ? loadedTest(new Set(manifest), view.byOutput) : null;
    for (const [folder, files] of byFolder) {
      const plan = planFolder({ folder, files, byOutput: view.byOutput, offsets, loaded }, opts);
      result.waiting += plan.waiting;
      if (plan.skipped) result.skipped.push({ folder, reason: plan.skipped });
      out.push({ layer, plan });
    }
  }
  return out;
}

/** Writes one compacted file and commits it; null when another compactor took some of its sources first. */
async function mergeBin(
  deps: CompactDeps,
  folder: string,
  bin: PlannedSource[],
  writer: string,
): Promise<CompactionEntry | null> {
  const { lake } = deps;
  const keys = bin.map((s) => s.key);
  // The plan may be old by now: another compactor may have merged (and, its grace over, deleted) some of these.
  const stillVisible = async (): Promise<boolean> => {
    const visible = new Set((await lakeView(lake, folder)).visible.map((o) => o.key));
    return keys.every((k) => visible.has(k));
  };
  if (!(await stillVisible())) return null;
  let written: { output: string; sources: CompactionSource[]; leaves: CompactionLeaf[]; rows: number; bytes: number };
  try {
    written = await writeMerged(deps, folder, bin);
  } catch (err) {
    if (!(await stillVisible())) return null;
    throw err;
  }
  const { output, sources, leaves, rows, bytes } = written;
  await deps.onStep?.('written', output);
  for (;;) {
    // Committed only if every source is still what a reader reads: another compactor may have taken some.
    const view = await lakeView(lake, folder);
    const visible = new Set(view.visible.map((o) => o.key));
    if (!keys.every((k) => visible.has(k))) {
      await lake.delete([output]);
      return null;
    }
    const seq = view.entries.reduce((m, e) => Math.max(m, e.seq), 0) + 1;
    const at = Date.now();
    const entry: CompactionEntry = {
      seq,
      folder,
      output,
      rows,
      bytes,
      sources,
      leaves,
      writer,
      at: new Date(at).toISOString(),
      atMs: at,
    };
    if (await createEntry(lake, entry)) {
      await deps.onStep?.('committed', output);
      return entry;
    }
  }
}

/** The merged file of one bin, written under its final name (no reader reads it before its commit). */
async function writeMerged(
  deps: CompactDeps,
  folder: string,
  bin: PlannedSource[],
): Promise<{ output: string; sources: CompactionSource[]; leaves: CompactionLeaf[]; rows: number; bytes: number }> {
  const { lake, duck } = deps;
  const paths = await lake.localPaths(bin.map((s) => s.key));
  const rowsOf = new Map<string, number>();
  for (let i = 0; i < paths.length; i += 500) {
    const r = await duck.runAndReadAll(
      `SELECT file_name, num_rows FROM parquet_file_metadata(${sqlList(paths.slice(i, i + 500))})`,
    );
    for (const [name, n] of r.getRowsJS()) rowsOf.set(String(name), (rowsOf.get(String(name)) ?? 0) + Number(n));
  }
  const sources = bin.map((s, i) => ({ key: s.key, bytes: s.bytes, rows: rowsOf.get(paths[i]) ?? 0 }));
  const leaves: CompactionLeaf[] = bin.flatMap((s, i) =>
    isCompactedKey(s.key) ? s.leaves : s.leaves.map((l) => ({ ...l, rows: sources[i].rows })),
  );
  const rows = sources.reduce((s, f) => s + f.rows, 0);
  const output = compactedKey(folder, leaves, leaves.length, randomUUID().slice(0, 8));
  await deps.onStep?.('planned', output);
  const scratch = lake.scratchPath(`${randomUUID()}.parquet`);
  try {
    // Files in order of partition and offset, rows in file order: the result is in offset order without a sort.
    // By name only where files differ (older versions wrote fewer columns): it costs DuckDB a third more memory.
    const byName = (await schemas(duck, paths)) > 1;
    await duck.run(
      `COPY (SELECT * FROM read_parquet(${sqlList(paths)}, union_by_name = ${byName}, hive_partitioning = false))
       TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
    );
    const written = Number(
      (
        await duck.runAndReadAll(`SELECT sum(num_rows) FROM parquet_file_metadata(${sqlString(scratch)})`)
      ).getRowsJS()[0][0],
    );
    if (written !== rows) throw new Error(`${output}: ${written} rows written for ${rows} read`);
    const bytes = fs.statSync(scratch).size;
    await lake.put(output, scratch);
    return { output, sources, leaves, rows, bytes };
  } finally {
    fs.rmSync(scratch, { force: true });
  }
}

/** How many different schemas (column names and types, in order) these Parquet files have. */
async function schemas(duck: DuckDBConnection, paths: readonly string[]): Promise<number> {
  const r = await duck.runAndReadAll(
    `SELECT count(DISTINCT sig) FROM (
       SELECT file_name, string_agg(name || ' ' || coalesce(type, '') || ' ' || coalesce(converted_type, ''), ',' ORDER BY column_id) AS sig
       FROM parquet_schema(${sqlList(paths)}) GROUP BY file_name)`,
  );
  return Number(r.getRowsJS()[0][0]);
}

/** Deletes what committed compactions replaced once their grace period is over, and old uncommitted outputs. */
async function cleanLayer(
  deps: CompactDeps,
  layer: CompactedLayer,
  opts: typeof COMPACT_DEFAULTS,
  result: CompactionResult,
): Promise<void> {
  const listing = await deps.lake.list(LAYERS[layer]);
  const view = await lakeView(deps.lake, LAYERS[layer], listing);
  const present = new Set(listing.map((o) => o.key));
  const now = Date.now();
  const doomed: string[] = [];
  for (const e of view.byOutput.values())
    for (const s of e.sources) {
      if (!present.has(s.key)) continue;
      if (e.atMs <= now - opts.graceMs) doomed.push(s.key);
      else result.pendingCleanup++;
    }
  const named = new Set(view.entries.map((e) => e.output));
  const orphans = listing
    .filter((o) => isCompactedKey(o.key) && !named.has(o.key) && o.modifiedMs <= now - opts.orphanMs)
    .map((o) => o.key);
  const half = Math.ceil(doomed.length / 2);
  await deps.lake.delete(doomed.slice(0, half));
  if (doomed.length) await deps.onStep?.('cleaning', `${layer}: ${half} of ${doomed.length}`);
  await deps.lake.delete(doomed.slice(half));
  await deps.lake.delete(orphans);
  result.cleaned += doomed.length;
  result.orphans += orphans.length;
}
