import type { LakeObject } from '../services/lake/port';
import { batchRange, hourFolder, isCompactedKey, isReplayKey, type Covered } from './compactionKeys';
import type { CompactionEntry, CompactionLeaf } from './compactionLog';
import { isCommitted, type PartitionOffsets } from './committedRanges';

/** When an hour folder is closed, and how big a compacted file grows. */
export interface PlanOptions {
  /** The clock the plan runs at (epoch ms). */
  now: number;
  /** An hour is closed this long after it ends (late files still come later: a later run takes them). */
  closeAfterMs: number;
  /** A batch file is taken once it has been in the lake this long (a previous owner's late write is swept by then). */
  settleMs: number;
  /** Sources are packed into compacted files of at most about this many bytes. */
  targetBytes: number;
}

/** A file the plan takes: its bytes, and the batch files whose rows it holds (rows filled in from footers later). */
export interface PlannedSource {
  key: string;
  bytes: number;
  leaves: CompactionLeaf[];
}

export interface FolderPlan {
  folder: string;
  /** Groups of sources, each merged into one compacted file. */
  bins: PlannedSource[][];
  /** Files left for a later run: the hour is open, or their range is not committed, settled or loaded yet. */
  waiting: number;
  /** Why nothing of this folder is taken now, when something stops it. */
  skipped?: string;
}

export interface FolderState {
  folder: string;
  /** Visible Parquet files of the folder (lakeView). */
  files: readonly LakeObject[];
  /** Entries in force, by output key (a compacted file's leaves come from its entry). */
  byOutput: ReadonlyMap<string, CompactionEntry>;
  offsets: ReadonlyMap<number, PartitionOffsets>;
  /**
   * Silver only: is this file loaded into the warehouse? Silver is compacted once the ETL has loaded
   * it, so a run of the ETL never reads a file compaction replaces. Null: the warehouse did not answer.
   */
  loaded?: ((key: string) => boolean) | null;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** What to merge in one hour folder (pure). */
export function planFolder(state: FolderState, opts: PlanOptions): FolderPlan {
  const hour = hourFolder(state.folder);
  const plan: FolderPlan = { folder: state.folder, bins: [], waiting: 0 };
  if (!hour) return plan;
  const candidates: PlannedSource[] = [];
  const ranges: { key: string; r: Covered; candidate: boolean }[] = [];
  const open = opts.now < hour.startMs + 3_600_000 + opts.closeAfterMs;
  for (const f of state.files) {
    if (isReplayKey(f.key)) continue;
    const entry = state.byOutput.get(f.key);
    const own = batchRange(f.key);
    const leaves: CompactionLeaf[] = entry ? entry.leaves : own ? [{ key: f.key, rows: 0, ...own }] : [];
    if (!leaves.length) continue; // not a file the stream or compaction wrote
    let take = !open;
    if (own) take &&= isCommitted(state.offsets, own) && f.modifiedMs <= opts.now - opts.settleMs;
    else take &&= isCompactedKey(f.key) && f.size < opts.targetBytes / 2;
    if (take && state.loaded !== undefined) take = !!state.loaded?.(f.key);
    if (take) candidates.push({ key: f.key, bytes: f.size, leaves });
    else if (own || f.size < opts.targetBytes / 2) plan.waiting++;
    for (const r of leaves) ranges.push({ key: f.key, r, candidate: take });
  }
  // The same offsets in two files: a previous owner's write the stream has not removed yet. Wait for it.
  ranges.sort((a, b) => a.r.partition - b.r.partition || a.r.first - b.r.first);
  for (let i = 1; i < ranges.length; i++) {
    const [a, b] = [ranges[i - 1], ranges[i]];
    if (a.r.partition === b.r.partition && b.r.first <= a.r.last && a.key !== b.key && (a.candidate || b.candidate)) {
      plan.skipped = `partition ${a.r.partition} offsets ${fmt(b.r.first)}–${fmt(Math.min(a.r.last, b.r.last))} are in two files (${a.key}, ${b.key}): the stream removes a previous owner's late write itself; compaction waits for it`;
      plan.waiting += candidates.length;
      return plan;
    }
  }
  candidates.sort((a, b) => compareLeaves(a.leaves[0], b.leaves[0]));
  let bin: PlannedSource[] = [];
  let bytes = 0;
  for (const c of candidates) {
    if (bin.length && bytes + c.bytes > opts.targetBytes) {
      plan.bins.push(bin);
      bin = [];
      bytes = 0;
    }
    bin.push(c);
    bytes += c.bytes;
  }
  plan.bins.push(bin);
  // A lone file has nothing to merge with: it stays as it is.
  plan.bins = plan.bins.filter((b) => b.length > 1);
  return plan;
}

function compareLeaves(a: Covered, b: Covered): number {
  return a.partition - b.partition || a.first - b.first;
}

/**
 * Silver's loaded test for a file, compacted ones included: loaded when the warehouse's manifest has
 * it, or every file it replaced is loaded (the warehouse loaded those, and not this one).
 */
export function loadedTest(
  manifest: ReadonlySet<string>,
  byOutput: ReadonlyMap<string, CompactionEntry>,
): (key: string) => boolean {
  const memo = new Map<string, boolean>();
  const test = (key: string): boolean => {
    let v = memo.get(key);
    if (v === undefined) {
      const e = byOutput.get(key);
      v = manifest.has(key) || (!!e && e.sources.every((s) => test(s.key)));
      memo.set(key, v);
    }
    return v;
  };
  return test;
}
