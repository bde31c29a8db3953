import { LAYERS, parseBatchKey } from '../services/lake/keys';

/*
 * Compaction's names in the lake. A compacted file lies in the hour folder of the files it
 * replaces, named after what it covers:
 *   <layer>/date=D/hour=H/compact_p<partition>-<first>-<last>[_p…]_<n>f_<id>.parquet
 * (per source partition the lowest and highest offset of its rows; `_p<lo>-p<hi>` instead when the
 * partitions would make the name too long). Its commit is one small object in the compaction log,
 * one sequence number per hour folder, created only if absent (so two compactors never both win):
 *   _compaction/log/<layer>/date=D/hour=H/<seq>.json
 * The entry lists the exact files the compacted file replaces: readers (lakeView.ts) read every
 * folder as its log says, so they never see a row twice, and no name of the stream's ever matches
 * a compacted file (the stream's checkpoint, sweep and orphan pass never touch one).
 */

export const COMPACTION_LOG = '_compaction/log/';

/** The layers compaction merges: the stream's batch files. Gold and the replay log are a few files a day. */
export const COMPACTED_LAYERS = ['bronze', 'silver', 'quarantine'] as const;
export type CompactedLayer = (typeof COMPACTED_LAYERS)[number];

const COMPACTED = /\/compact_[^/]*\.parquet$/;
const REPLAY = /\/replay-[^/]+\.parquet$/;
const HOUR_FOLDER = /^(.*\/)date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/$/;
const LOG_ENTRY = /^_compaction\/log\/(.*\/)(\d{8})\.json$/;
/** Longest name a folder lake may hold is 255 bytes: the per-partition form stops well before. */
const MAX_NAME = 200;

export const isCompactedKey = (key: string): boolean => COMPACTED.test(key);
export const isReplayKey = (key: string): boolean => REPLAY.test(key);

/** The folder ('…/') a key lies in. */
export const folderOf = (key: string): string => key.slice(0, key.lastIndexOf('/') + 1);

/** A layer's hour folder: its layer, and the epoch ms its hour starts. Null for other folders. */
export function hourFolder(folder: string): { layer: CompactedLayer; startMs: number } | null {
  const m = HOUR_FOLDER.exec(folder);
  if (!m) return null;
  const layer = COMPACTED_LAYERS.find((l) => LAYERS[l] === m[1]);
  if (!layer) return null;
  return { layer, startMs: Date.parse(`${m[2]}T${m[3]}:00:00Z`) };
}

export function logKey(folder: string, seq: number): string {
  return `${COMPACTION_LOG}${folder}${String(seq).padStart(8, '0')}.json`;
}

export function parseLogKey(key: string): { folder: string; seq: number } | null {
  const m = LOG_ENTRY.exec(key);
  return m ? { folder: m[1], seq: Number(m[2]) } : null;
}

/** The log's prefix for a listing of the lake under `prefix` (a layer, a date or an hour folder). */
export const logPrefixFor = (prefix: string): string => `${COMPACTION_LOG}${prefix}`;

export interface Covered {
  partition: number;
  first: number;
  last: number;
}

/** Per source partition, the lowest and highest offset of these ranges. */
export function spanOf(ranges: readonly Covered[]): Covered[] {
  const by = new Map<number, Covered>();
  for (const r of ranges) {
    const s = by.get(r.partition);
    if (!s) by.set(r.partition, { ...r });
    else {
      s.first = Math.min(s.first, r.first);
      s.last = Math.max(s.last, r.last);
    }
  }
  return [...by.values()].sort((a, b) => a.partition - b.partition);
}

export function compactedKey(folder: string, leaves: readonly Covered[], files: number, id: string): string {
  const spans = spanOf(leaves);
  const full = spans.map((s) => `p${s.partition}-${s.first}-${s.last}`).join('_');
  const short = spans.length ? `p${spans[0].partition}-p${spans[spans.length - 1].partition}` : 'p';
  const what = full.length <= MAX_NAME - 40 ? full : short;
  return `${folder}compact_${what}_${files}f_${id}.parquet`;
}

/** A source file's own range, when it is one of the stream's batch files. */
export const batchRange = (key: string): Covered | null => (isCompactedKey(key) ? null : parseBatchKey(key));
