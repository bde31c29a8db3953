/** Compaction's part of the contract (types only; the contract re-exports them). */

export type CompactionLayerName = 'bronze' | 'silver' | 'quarantine';

export interface CompactionLayerResult {
  /** Hour folders merged in this run. */
  folders: number;
  /** Files merged, and the compacted files written in their place. */
  filesIn: number;
  filesOut: number;
  bytesIn: number;
  bytesOut: number;
  rows: number;
}

export interface CompactionResult {
  runId: string;
  status: 'succeeded' | 'failed';
  /** A plan only: what a run would merge, nothing written. */
  dryRun: boolean;
  startedAt: number;
  durationMs: number;
  layers: Record<CompactionLayerName, CompactionLayerResult>;
  /** Replaced files deleted now that their grace period is over. */
  cleaned: number;
  /** Replaced files still kept for readers that listed before the commit (deleted by a later run). */
  pendingCleanup: number;
  /** Compacted files no commit names (a run killed before its commit), removed once old. */
  orphans: number;
  /** Files left for a later run: in hours not closed yet, or not yet committed by the stream or loaded by the ETL. */
  waiting: number;
  /** Folders something kept from merging now, and why. */
  skipped: { folder: string; reason: string }[];
  notes: string[];
  error?: string;
}

export interface CompactionProgress {
  runId: string;
  phase: 'planning' | 'merging' | 'cleaning' | 'done';
  /** Hour folders and files to merge in this run, and done so far. */
  foldersDone: number;
  foldersTotal: number;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** The hour folder being merged. */
  folder: string | null;
}

export interface CompactionSchedule {
  /** Minutes between runs; null when compaction runs only when asked. */
  everyMinutes: number | null;
  nextRunAt: number | null;
}

export interface CompactionStatus {
  schedule: CompactionSchedule;
  /** The run in progress, if any. */
  running: CompactionProgress | null;
  /** The last run's result in this app session. */
  last: CompactionResult | null;
}

/** Compaction's commands: each closed hour's small files merged into files of about targetMb (default 128). */
export interface CompactionCommands {
  /** Runs now (or plans only, dryRun); one run at a time: asking while one runs answers with that run. */
  'compaction.run': { req: { dryRun?: boolean; targetMb?: number }; res: CompactionResult };
  'compaction.status': { req: Record<string, never>; res: CompactionStatus };
  /** The schedule in force when everyMinutes is absent; a number of minutes, or null for off. Kept in the data dir. */
  'compaction.schedule': { req: { everyMinutes?: number | null }; res: CompactionSchedule };
}

/** Compaction's events. */
export interface CompactionEvents {
  'compaction.progress': CompactionProgress;
}
