/** The contract's lake types: its offsets as the stream took them, the lake browser's listings, the layers' counts; engine/contract.ts re-exports them. */
import type { QueryResult } from './contract';

/** One partition as the stream took it: where the lake ends, what the group and the log say, where reading starts. */
export interface PartitionStart {
  partition: number;
  /** The first offset the lake does not hold (its checkpoint): the truth. */
  lake: number;
  /** The consumer group's committed offset: kept for monitoring and lag, never trusted over the lake. */
  committed: number;
  /** The oldest offset still in the log (retention removes older ones). */
  earliest: number;
  /** The offset the next record will get. */
  end: number;
  /** Where the stream reads from: the lake's offset, or the log's earliest when retention removed what lies between. */
  start: number;
}

export type OffsetNoticeKind = 'retention_gap' | 'new_lake_group_has_commits' | 'lake_behind_group' | 'adopted_legacy';

/** Something about the offsets a user should know at start, and the offsets it concerns. */
export interface OffsetNotice {
  kind: OffsetNoticeKind;
  message: string;
  ranges: { partition: number; from: number; to: number; records: number }[];
}

/** The lake, its consumer group, and what the stream read from where at its last (re)assignment. */
export interface LakeOffsets {
  /** The id written in the lake when it was created; null until the lake has answered. */
  lakeId: string | null;
  lake: string;
  group: string | null;
  /** 'setting': --group, RETAIL_PULSE_GROUP or the config file; 'lake': derived from the lake id. */
  groupFrom: 'setting' | 'lake';
  topic: string;
  /** The partitions this engine's stream took at its last assignment; empty before it started. */
  partitions: PartitionStart[];
  notices: OffsetNotice[];
  /** One line for a terminal: what the stream reads, from where. */
  summary: string;
  at: number;
}

/** One lake "folder": its sub-prefixes and the Parquet files directly in it. */
export interface LakeListing {
  prefix: string;
  prefixes: string[];
  files: LakeFileInfo[];
}

export interface LakeFileInfo {
  key: string;
  bytes: number;
  /** From the footer; null when the footer could not be read. */
  rows: number | null;
  /** Source partition and offsets, from the file name (bronze, silver, quarantine). */
  offsets: { partition: number; first: number; last: number } | null;
  /** A compacted file: how many of the stream's batch files it holds, and their offsets per source partition. */
  compacted?: { files: number; covers: { partition: number; first: number; last: number }[] };
}

export interface LakePreview {
  key: string;
  bytes: number;
  rows: number;
  rowGroups: number;
  columns: { name: string; type: string; min: unknown; max: unknown; nulls: number | null }[];
  /** The first rows (at most 100), read without scanning the file. */
  preview: QueryResult;
}

/** Counts of the lake's layers from the Parquet footers (durable state, no scan). */
export interface LakeCounts {
  bronze: { records: number; files: number };
  silver: { lines: number; files: number };
  quarantine: { records: number; files: number };
  at: number;
}
