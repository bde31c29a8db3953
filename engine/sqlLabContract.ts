/** The contract's SQL lab and Dashboard types; engine/contract.ts re-exports them. */
import type { ChartSpec } from './contract';

/** A column the warehouse editor's reader may SELECT. */
export interface WarehouseColumn {
  name: string;
  /** As information_schema says it: integer, text, numeric(12,2), timestamp with time zone… */
  type: string;
}

export interface WarehouseTable {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: WarehouseColumn[];
}

/** The tables and columns the reader role may read (information_schema as the reader): what completes in the editor. */
export interface WarehouseSchema {
  tables: WarehouseTable[];
  at: number;
}

/** One run of the SQL lab's editor, kept by the Host (newest first) across restarts. */
export interface SqlHistoryEntry {
  id: string;
  sql: string;
  /** Epoch ms the run started. */
  at: number;
  ms: number;
  outcome: 'ok' | 'failed' | 'cancelled';
  /** Rows on the first page (null when it did not succeed). */
  rows: number | null;
  /** More rows followed the first page. */
  more: boolean;
  error: string | null;
}

export interface SavedQuery {
  id: string;
  /** Unique: saving under a name that exists replaces that query's SQL. */
  name: string;
  sql: string;
  savedAt: number;
}

/** A result's chart kept on the Dashboard: its query runs again every refreshSeconds while the page is shown. */
export interface PinnedChart {
  id: string;
  title: string;
  sql: string;
  chart: ChartSpec;
  /** Columns that hold money (EGP). */
  money?: string[];
  refreshSeconds: number;
  pinnedAt: number;
}

/** A list the Host keeps in the data dir; problem says when its file could not be read (and where it was kept). */
export interface SqlLabList<T> {
  items: T[];
  problem: string | null;
}

export type SqlLabPart = 'history' | 'saved' | 'pins';
