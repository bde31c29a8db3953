import type { EtlRunRecord, QueryResult } from '../../contract';
import type { Catalog } from '../../model/catalog';
import type { CopyFile } from './copyBinary';

export type { EtlRunRecord, QueryResult };

/** The warehouse port: the star schema, loaded exactly once per silver file, and queried. */

export interface LoadChunk {
  runId: string;
  /** Silver files in this chunk and their row counts; recorded in the manifest with the rows. */
  files: { key: string; rows: number }[];
  /**
   * The chunk's fact rows, file by file, in FACT_COLUMNS order with their dimension keys resolved
   * (dimKeys()): a local binary COPY file the loader sends piece by piece.
   */
  facts: CopyFile;
  /** The chunk's customers (each once) with the time of their first and last line in it (ISO-8601). */
  customers: { ids: string[]; first: string[]; last: string[] };
  /** The UTC days of its lines, 'YYYY-MM-DD'. */
  days: string[];
}

/**
 * Which dim row a silver line points at: for each catalog version the warehouse has, the
 * dim_store / dim_product row in force at its valid_from (the store and product as the line was
 * enriched). Keys of a version never change once it is applied, so the ETL reads them once a run.
 */
export interface DimKeys {
  /** Every catalog version applied, oldest first: silver written before versions existed reads as the first. */
  versions: string[];
  stores: { version: string[]; id: number[]; key: number[] };
  products: { version: string[]; id: number[]; key: number[] };
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
  dimKeys(): Promise<DimKeys>;
  /**
   * Loads one chunk in one transaction: manifest rows added, facts inserted once, customers and
   * days upserted. Rows of a file already in the manifest, and a line the warehouse already holds
   * (its transaction_id and line_no), are skipped (counted in `skipped`), so a retry is safe.
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
  /** The silver files a run loaded (the load manifest), at most `limit`. */
  runFiles(runId: string, limit: number): Promise<{ key: string; rows: number }[]>;
  /** When the newest silver file was loaded (epoch ms), null when none was. */
  newestLoad(): Promise<number | null>;
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

/** fact_sales columns in the order a load's COPY sends them. */
export const FACT_COLUMNS = [
  'transaction_id',
  'line_no',
  'date_key',
  'store_id',
  'product_id',
  'customer_id',
  'event_time',
  'quantity',
  'unit_price',
  'line_amount',
  'source_file',
  'store_key',
  'product_key',
  'catalog_version',
] as const;
