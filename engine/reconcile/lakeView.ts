import type { DuckDBConnection } from '@duckdb/node-api';
import { REPLAY_METRICS_PARTITION } from '../quarantine/replay';
import { sqlList } from '../services/lake/duck';
import type { Lake } from '../services/lake/port';
import { leavesWhere, loadStatus, unloadedParts } from '../compaction/etlSources';
import type { LakeView as CompactionView } from '../compaction/lakeView';
import type { CheckpointView } from './checkpointRead';
import type { FilePart, LedgerFile, LedgerLayer } from './lakeLedger';

/** One partition as the lake holds it: below its checkpoint's offset (covered) and past it (in flight). */
export interface LakePartitionView {
  partition: number;
  checkpoint: CheckpointView | null;
  bronze: { covered: number; ahead: number; holes: { from: number; to: number; records: number }[] };
  /** Silver sales the stream wrote (replays aside), below and past the checkpoint. */
  silver: { covered: number; ahead: number };
  quarantine: { covered: number; ahead: number };
}

interface Totals {
  records: number;
  lines: number;
  cents: number;
  files: number;
  newest: number | null;
}

/** The lake's side of a reconciliation: what the ledger and the checkpoint say, summed. */
export interface LakeView {
  bronze: Totals;
  /** records: sales (distinct source records); replay: the part quarantine replays wrote. */
  silver: Totals & { replay: Totals };
  quarantine: Totals;
  partitions: LakePartitionView[];
  /** Silver files the warehouse's manifest does not list (null: the manifest could not be read). */
  backlog: { files: number; lines: number; cents: number } | null;
  /** Silver files the manifest lists, and manifest entries whose file is no longer in the lake. */
  loaded: { files: number; lines: number; cents: number; gone: number };
  /** Silver sales the windows never counted: the stream's before where they started counting each partition, replays before their first. */
  missedByWindows: { sales: number; cents: number; replaySales: number; replayCents: number };
}

export interface LakeViewInput {
  /** Silver keys in the warehouse's manifest; null when the warehouse did not answer. */
  loaded: string[] | null;
  /** The windows' first counted offset per partition; null when the metrics store could not be read. */
  windowsSince: Record<string, number> | null;
}

const empty = (): Totals => ({ records: 0, lines: 0, cents: 0, files: 0, newest: null });

function add(t: Totals, f: LedgerFile): void {
  t.files++;
  for (const p of f.parts) {
    t.records += p.sales;
    t.lines += p.rows;
    t.cents += p.cents;
    if (p.newestMs !== null && (t.newest === null || p.newestMs > t.newest)) t.newest = p.newestMs;
  }
}

export interface LakeViewDeps {
  lake: Lake;
  duck: () => Promise<DuckDBConnection>;
  /** Silver's compaction log as the ledger listed it: which files each compacted one replaced. */
  silverLog: Pick<CompactionView, 'byOutput' | 'bySource'> | null;
}

export async function lakeView(
  files: Record<LedgerLayer, LedgerFile[]>,
  checkpoint: Map<number, CheckpointView>,
  input: LakeViewInput,
  deps: LakeViewDeps,
): Promise<LakeView> {
  const view: LakeView = {
    bronze: empty(),
    silver: { ...empty(), replay: empty() },
    quarantine: empty(),
    partitions: [],
    backlog: null,
    loaded: { files: 0, lines: 0, cents: 0, gone: 0 },
    missedByWindows: { sales: 0, cents: 0, replaySales: 0, replayCents: 0 },
  };
  for (const f of files.bronze) add(view.bronze, f);
  for (const f of files.quarantine) add(view.quarantine, f);
  const loaded = new Set(input.loaded ?? []);
  const log = deps.silverLog ?? { byOutput: new Map(), bySource: new Map() };
  // The manifest lists the files the ETL loaded; compaction merges them later: a compacted file is
  // loaded when its files are (etlSources.ts, the ETL's own rule).
  const statusOf = loadStatus(log, loaded);
  const backlog = { files: 0, lines: 0, cents: 0 };
  const present = new Set<string>();
  for (const f of files.silver) {
    add(view.silver, f);
    if (f.replay) add(view.silver.replay, f);
    present.add(f.key);
    const lines = f.parts.reduce((s, p) => s + p.rows, 0);
    const cents = f.parts.reduce((s, p) => s + p.cents, 0);
    const status = statusOf(f.key);
    const unloaded =
      status === 'some'
        ? await unloadedOf(f.key, log.byOutput, statusOf, deps)
        : status === 'none'
          ? { files: 1, lines, cents }
          : { files: 0, lines: 0, cents: 0 };
    if (status !== 'none') {
      view.loaded.files++;
      view.loaded.lines += lines - unloaded.lines;
      view.loaded.cents += cents - unloaded.cents;
    }
    if (status !== 'all') {
      backlog.files += unloaded.files;
      backlog.lines += unloaded.lines;
      backlog.cents += unloaded.cents;
    }
  }
  view.backlog = input.loaded ? backlog : null;
  // A loaded file a compacted one replaced is not gone: its rows are in that file.
  view.loaded.gone = (input.loaded ?? []).filter((k) => !present.has(k) && !log.bySource.has(k)).length;

  const partitions = new Set<number>(checkpoint.keys());
  for (const layer of ['bronze', 'silver', 'quarantine'] as const)
    for (const f of files[layer]) for (const p of f.parts) if (!f.replay) partitions.add(p.partition);
  for (const partition of [...partitions].sort((a, b) => a - b)) {
    const cp = checkpoint.get(partition) ?? null;
    const next = cp?.next ?? 0;
    const parts = (layer: LedgerLayer) =>
      files[layer].flatMap((f) => (f.replay ? [] : f.parts.filter((p) => p.partition === partition)));
    const split = (ps: FilePart[], count: (p: FilePart) => number) => ({
      covered: ps.filter((p) => p.minOffset < next).reduce((s, p) => s + count(p), 0),
      ahead: ps.filter((p) => p.minOffset >= next).reduce((s, p) => s + count(p), 0),
    });
    const bronze = parts('bronze');
    view.partitions.push({
      partition,
      checkpoint: cp,
      bronze: { ...split(bronze, (p) => p.rows), holes: holesBelow(bronze, next) },
      silver: split(parts('silver'), (p) => p.sales),
      quarantine: split(parts('quarantine'), (p) => p.rows),
    });
  }

  if (input.windowsSince) await missedByWindows(view, files.silver, input.windowsSince, deps);
  return view;
}

/** The part of a partly loaded compacted file the ETL has still to load: its files, lines and cents. */
async function unloadedOf(
  key: string,
  byOutput: CompactionView['byOutput'],
  statusOf: ReturnType<typeof loadStatus>,
  deps: LakeViewDeps,
): Promise<{ files: number; lines: number; cents: number }> {
  const units = unloadedParts(byOutput.get(key)!, byOutput, statusOf);
  const [local] = await deps.lake.localPaths([key]);
  const [[lines, cents]] = (
    await (
      await deps.duck()
    ).runAndReadAll(
      `SELECT count(*), coalesce((sum(line_amount) * 100)::BIGINT, 0) FROM read_parquet(${sqlList([local])})
       WHERE ${leavesWhere(units.flatMap((u) => u.leaves))}`,
    )
  ).getRowsJS();
  return { files: units.length, lines: Number(lines), cents: Number(cents) };
}

/** Offset ranges below `next` that no bronze file holds (or that a file holds fewer records of than its range spans). */
function holesBelow(parts: FilePart[], next: number): { from: number; to: number; records: number }[] {
  const holes: { from: number; to: number; records: number }[] = [];
  let cursor = 0;
  for (const p of parts.filter((x) => x.minOffset < next).sort((a, b) => a.minOffset - b.minOffset)) {
    if (p.minOffset > cursor) holes.push({ from: cursor, to: p.minOffset - 1, records: p.minOffset - cursor });
    const inside = p.maxOffset - p.minOffset + 1 - p.rows;
    if (inside > 0) holes.push({ from: p.minOffset, to: p.maxOffset, records: inside });
    cursor = Math.max(cursor, p.maxOffset + 1);
  }
  if (cursor < next) holes.push({ from: cursor, to: next - 1, records: next - cursor });
  return holes;
}

/**
 * Silver sales the windows cannot hold: a partition's sales before the offset the windows started
 * counting it at (all of it when they never did), and replays made before the first one they counted.
 * A file across that offset is read for the exact part before it.
 */
async function missedByWindows(
  view: LakeView,
  silver: LedgerFile[],
  since: Record<string, number>,
  deps: { lake: Lake; duck: () => Promise<DuckDBConnection> },
): Promise<void> {
  const m = view.missedByWindows;
  const replaySince = since[REPLAY_METRICS_PARTITION];
  for (const f of silver) {
    if (f.replay) {
      const at = f.parts.reduce((lo, p) => Math.min(lo, p.ingestedMs ?? Infinity), Infinity);
      if (replaySince === undefined || at < replaySince)
        for (const p of f.parts) {
          m.replaySales += p.sales;
          m.replayCents += p.cents;
        }
      continue;
    }
    for (const p of f.parts) {
      const from = since[p.partition];
      if (from === undefined || p.maxOffset < from) {
        m.sales += p.sales;
        m.cents += p.cents;
      } else if (p.minOffset < from) {
        const [local] = await deps.lake.localPaths([f.key]);
        const duck = await deps.duck();
        const [[sales, cents]] = (
          await duck.runAndReadAll(
            `SELECT count(DISTINCT source_offset), coalesce((sum(line_amount) * 100)::BIGINT, 0)
             FROM read_parquet(${sqlList([local])}) WHERE source_partition = ${p.partition} AND source_offset < ${from}`,
          )
        ).getRowsJS();
        m.sales += Number(sales);
        m.cents += Number(cents);
      }
    }
  }
}
