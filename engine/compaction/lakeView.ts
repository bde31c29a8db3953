import type { Lake, LakeObject } from '../services/lake/port';
import { isCompactedKey } from './compactionKeys';
import { readLog, type CompactionEntry } from './compactionLog';

/**
 * What a reader of the lake may read: every reader that lists a layer (lake SQL, lake counts, the
 * lake browser, the summary, the duplicate check, quarantine state, the ETL) goes through here, so
 * a row is never counted twice while compaction runs or after it was killed anywhere.
 *
 * Per hour folder, the log's entries are taken newest first; an entry is in force when its output
 * is in the listing, or when a later entry in force replaced that output in turn (its file may be
 * gone already). In force, it hides exactly its sources. A compacted file no entry in force names
 * (being written, or left by a compactor killed before its commit) is hidden. Sources are deleted
 * only well after their entry committed (the grace period), so a listing, which takes far less,
 * sees either the sources or the compacted file in force, never both and never neither.
 */
export interface LakeView {
  /** Parquet files to read, in listing order. */
  visible: LakeObject[];
  /** Entries in force, by their output's key. */
  byOutput: Map<string, CompactionEntry>;
  /** Entries in force, by the key of each source they replaced. */
  bySource: Map<string, CompactionEntry>;
  /** Every entry under the prefix, in force or not. */
  entries: CompactionEntry[];
}

/** Applies the log's entries to a listing (pure). */
export function resolveView(listing: readonly LakeObject[], entries: readonly CompactionEntry[]): LakeView {
  const present = new Set(listing.map((o) => o.key));
  const byOutput = new Map<string, CompactionEntry>();
  const bySource = new Map<string, CompactionEntry>();
  // Newest first: an entry whose output a later entry replaced is in force through it.
  const newestFirst = [...entries].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : b.seq - a.seq));
  for (const e of newestFirst) {
    if (!present.has(e.output) && !bySource.has(e.output)) continue;
    byOutput.set(e.output, e);
    for (const s of e.sources) if (!bySource.has(s.key)) bySource.set(s.key, e);
  }
  const visible = listing.filter(
    (o) => o.key.endsWith('.parquet') && !bySource.has(o.key) && (!isCompactedKey(o.key) || byOutput.has(o.key)),
  );
  return { visible, byOutput, bySource, entries: [...entries] };
}

/** The view of the lake under `prefix` (a layer, date or hour folder), from one listing of it and of its log. */
export async function lakeView(lake: Lake, prefix: string, listing?: readonly LakeObject[]): Promise<LakeView> {
  // The log first: an entry committed meanwhile names an output this listing may lack, and is then not in force.
  const entries = await readLog(lake, prefix);
  const objects = listing ?? (await lake.list(prefix));
  return resolveView(objects, entries);
}

/** The Parquet files under `prefix` a reader may read. */
export async function visibleParquet(lake: Lake, prefix: string): Promise<LakeObject[]> {
  return (await lakeView(lake, prefix)).visible;
}

/** Their keys. */
export async function visibleKeys(lake: Lake, prefix: string): Promise<string[]> {
  return (await visibleParquet(lake, prefix)).map((o) => o.key);
}
