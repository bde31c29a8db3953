/**
 * The contract's types for reference data (the catalog), quarantine replay and imports of sales
 * files; engine/contract.ts re-exports them, so the UI still imports everything from the contract.
 */
import type { EtlResult } from './contract';

/** A problem with a catalog the user gave, with its place: file, row (CSV line or JSON item), field. */
export interface CatalogIssue {
  file: string;
  row: number | null;
  field: string | null;
  message: string;
}

export interface CatalogVersionInfo {
  version: string;
  appliedAt: number;
  source: string;
  stores: number;
  products: number;
}

export interface CatalogStoreRow {
  store_id: number;
  name: string;
  city: string;
  region: string;
}

export interface CatalogProductRow {
  product_id: number;
  name: string;
  category: string;
  price: number | null;
}

/** The catalog in force, its rows, and every version before it (newest first). */
export interface CatalogView extends CatalogVersionInfo {
  storeRows: CatalogStoreRow[];
  productRows: CatalogProductRow[];
  history: CatalogVersionInfo[];
}

/** What applying these files would do, checked but not applied. */
export interface CatalogPreview {
  ok: boolean;
  issues: CatalogIssue[];
  /** Columns or fields the files have that a catalog does not use. */
  ignored: string[];
  stores: number;
  products: number;
  /** Against the catalog in force, one line each ("store 3: name Alexandria Corniche → Alexandria Bay"). */
  changes: { added: string[]; changed: string[]; removed: string[] };
  /** False when the files hold exactly the catalog in force. */
  differs: boolean;
  storeRows: CatalogStoreRow[];
  productRows: CatalogProductRow[];
}

/** A file as the UI sends it: the renderer has no file system, it reads the chosen file's text. */
export interface TextFile {
  name: string;
  text: string;
}

/** Which quarantined records: by current reason, arrival time range [from, to), state. */
export interface QuarantineQuery {
  reason?: string;
  /** ISO-8601 (UTC when no zone). */
  from?: string;
  to?: string;
  state?: 'open' | 'replayed';
}

export interface QuarantineRowView {
  brokerTime: string;
  partition: number;
  offset: number;
  transactionId: string | null;
  /** The latest reason; null once a replay moved it to silver. */
  reason: string | null;
  originalReason: string;
  detail: string | null;
  state: 'open' | 'replayed';
  /** When a replay last changed it (moved it, or gave it a new reason). */
  replayedAt: string | null;
  /** The silver file (lake key) a replay put it in. */
  wentTo: string | null;
  catalogVersion: string | null;
  raw: string;
}

export interface QuarantineListing {
  total: number;
  open: number;
  replayed: number;
  /** Open records by their latest reason. */
  byReason: Record<string, number>;
  /** Records matching the query (rows holds the first of them). */
  matching: number;
  rows: QuarantineRowView[];
}

export interface ReplayResult {
  replayId: string;
  replayedAt: number;
  catalogVersion: string;
  /** Open records the query matched, validated again. */
  candidates: number;
  toSilver: number;
  /** Still invalid, with a reason that changed (logged). */
  stillQuarantined: number;
  /** Still invalid for the same reason (nothing to log). */
  unchanged: number;
  /** New reasons of those still quarantined. */
  byReason: Record<string, number>;
  silverFiles: string[];
  lines: number;
  revenue: number;
  /** The ETL run that loaded the replayed sales into the warehouse (none when nothing went to silver). */
  etl: EtlResult | null;
}

export type SalesFileFormat = 'ndjson' | 'json' | 'csv';

export interface ImportProgress {
  importId: string;
  file: string;
  format: SalesFileFormat;
  bytesDone: number;
  bytesTotal: number;
  records: number;
  recordsPerSec: number;
  /** From the bytes still to read at the rate so far; null before there is a rate. */
  secondsLeft: number | null;
  elapsedMs: number;
}

export interface ImportFileResult {
  file: string;
  format: SalesFileFormat;
  bytes: number;
  /** Records put on the topic (the stream validates them like live sales). */
  records: number;
  /** Of those, records that are not even a JSON object: they land in quarantine. */
  unreadable: number;
  /** CSV rows that could not form a sale (not sent), the first 100, with their lines. */
  issues: { line: number; message: string }[];
  issueCount: number;
  /** Set when the file stopped the import (its structure is broken): what was sent before stays, and importing it again sends nothing twice. */
  error?: string;
}

export interface ImportSummary {
  importId: string;
  /** Where the records went: the embedded log or a Kafka cluster, and the topic. */
  target: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  files: ImportFileResult[];
  bytes: number;
  records: number;
  durationMs: number;
  recordsPerSec: number;
}
