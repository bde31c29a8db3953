import type { EtlRunRecord, QueryResult } from '../../contract';
import type { Catalog } from '../../model/catalog';

export type { EtlRunRecord, QueryResult };

/** The warehouse port: the star schema, loaded exactly once per silver file, and queried. */

export interface LoadChunk {
  runId: string;
  /** Silver files in this chunk and their row counts; recorded in the manifest with the rows. */
  files: { key: string; rows: number }[];
  /** The chunk's silver lines as CSV, columns in STAGING_COLUMNS order, no header. */
  csv: Uint8Array;
}

export interface QueryOptions {
  /** Aborting stops the query on the server (PostgreSQL); PGlite cannot stop a running query. */
  signal?: AbortSignal;
}

export interface LoadResult {
  inserted: number;
  skipped: number;
}

/** The warehouse's operations: what another thread reaches through the warehouse worker's port. */
export type WarehouseCalls = Omit<Warehouse, 'kind'>;

export interface Warehouse {
  readonly kind: 'pglite' | 'postgres';
  loadedFiles(): Promise<string[]>;
  /**
   * Loads one chunk in one transaction: dims upserted, facts inserted once, manifest rows added.
   * Rows of a file already in the manifest are skipped (counted in `skipped`), so a retry is safe.
   */
  loadChunk(chunk: LoadChunk): Promise<LoadResult>;
  /** Starts an ETL run; PulseError 'etl_busy' while another run (here, or in another process) is open. */
  beginRun(runId: string): Promise<void>;
  finishRun(run: {
    runId: string;
    status: 'succeeded' | 'failed';
    files: number;
    inserted: number;
    skipped: number;
    error?: string;
  }): Promise<void>;
  runs(limit: number): Promise<EtlRunRecord[]>;
  /** Read-only query of one statement; values decoded as resultValues.ts says, the same on every adapter. */
  query(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult>;
  totals(): Promise<{ factRows: number; revenue: number }>;
  /**
   * Brings the type 2 store and product dims up to the catalog history (oldest first): versions the
   * warehouse lacks are applied in one transaction, one process at a time. Returns how many.
   */
  syncCatalog(history: readonly Catalog[]): Promise<number>;
  /** Housekeeping after bulk loads (statistics, space). */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

/** Silver columns the ETL stages into the warehouse, in this order. */
export const STAGING_COLUMNS = [
  'transaction_id',
  'line_no',
  'event_time',
  'store_id',
  'store_name',
  'city',
  'region',
  'customer_id',
  'product_id',
  'product_name',
  'category',
  'quantity',
  'unit_price',
  'line_amount',
  'source_file',
  'catalog_version',
] as const;
