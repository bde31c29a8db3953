import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PulseError } from '../../errors';
import {
  BEGIN_RUN,
  FAIL_ORPHAN_RUNS,
  FINISH_RUN,
  LIST_RUNS,
  NEWEST_LOAD,
  RUN_FILES,
  TOTALS,
  copyFactsSql,
  loadChunkIn,
  readDimKeys,
} from './loadSql';
import { pgliteParsers, readingQuery, type Parsers } from './pgliteReader';
import type { SnapshotSource, WriteState } from './pgliteQueries';
import { syncCatalogVersions } from './catalogSql';
import { clusterTemplate, openPglite, wasmHeapBytes, WAREHOUSE_SETTINGS } from './pgliteCluster';
import { memorySource } from '../../util/threadMemory';
import type { Catalog } from '../../model/catalog';
import type { DimKeys, EtlRunRecord, LoadChunk, LoadResult, QueryOptions, QueryResult, Warehouse } from './port';
import { SESSION_SETTINGS } from './resultValues';

/**
 * The embedded warehouse: PGlite (PostgreSQL in WASM) with a data directory. It blocks its thread
 * for a whole query, so it runs in the warehouse worker, never on a UI thread.
 */
export class PgliteWarehouse implements Warehouse, SnapshotSource {
  readonly kind = 'pglite' as const;

  private runOpen: string | null = null;
  private readonly parsers: Parsers;
  /** Bumped by every write, so the editor's snapshot (pgliteQueries.ts) knows when it is behind. */
  private writes = 0;
  private onWrites: ((state: WriteState) => void) | null = null;

  private constructor(
    private readonly db: PGlite,
    private readonly dataDir: string,
  ) {
    this.parsers = pgliteParsers(db);
  }

  /**
   * A new data dir is the cluster `template` unpacked (default: the installed PGlite's, made once
   * per machine in a process of its own: pgliteCluster.ts); an existing one is opened as it is.
   */
  static async open(dataDir: string, initSql: string, opts: { template?: string } = {}): Promise<PgliteWarehouse> {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    let db: PGlite;
    try {
      db = await openPglite(dataDir, { settings: WAREHOUSE_SETTINGS, template: opts.template ?? clusterTemplate() });
    } catch (cause) {
      throw new PulseError(
        'warehouse_failed',
        `cannot open the embedded warehouse at ${dataDir}: ${(cause as Error).message}. It is rebuildable from the lake: move the folder away and run the ETL again.`,
        { cause },
      );
    }
    await db.exec(initSql);
    memorySource('pglite', () => wasmHeapBytes(db));
    for (const [name, value] of Object.entries(SESSION_SETTINGS))
      await db.query(`SELECT set_config($1, $2, false)`, [name, value]);
    return new PgliteWarehouse(db, dataDir);
  }

  async loadedFiles(): Promise<string[]> {
    const r = await this.db.query<{ file_key: string }>('SELECT file_key FROM load_manifest');
    return r.rows.map((x) => x.file_key);
  }

  dimKeys(): Promise<DimKeys> {
    return readDimKeys((sql, params) => this.db.query<Record<string, unknown>>(sql, params));
  }

  async loadChunk(chunk: LoadChunk): Promise<LoadResult> {
    this.wrote();
    // Pieces go to PGlite as slices of a file-backed Blob: PGlite reads each into memory only while
    // its COPY runs (a Blob made from a buffer would hold a native copy the GC cannot see).
    const file = await fs.openAsBlob(chunk.facts.path);
    return this.db.transaction((tx) =>
      loadChunkIn(
        {
          query: (sql, params) => tx.query<Record<string, unknown>>(sql, params),
          copy: async (table, piece) =>
            (await tx.query(copyFactsSql(table, `'/dev/blob'`), [], { blob: file.slice(piece.start, piece.end) }))
              .affectedRows ?? 0,
        },
        chunk,
      ),
    );
  }

  /** The data dir is locked to one app, so a run open in this instance is the only one there can be. */
  async beginRun(runId: string): Promise<void> {
    if (this.runOpen)
      throw new PulseError(
        'etl_busy',
        `an ETL run is already loading the warehouse (run ${this.runOpen}, in this app)`,
      );
    await this.db.transaction(async (tx) => {
      await tx.query(FAIL_ORPHAN_RUNS);
      await tx.query(BEGIN_RUN, [runId]);
    });
    this.runOpen = runId;
    this.wrote();
  }

  async finishRun(run: {
    runId: string;
    status: 'succeeded' | 'failed';
    files: number;
    inserted: number;
    skipped: number;
    error?: string;
  }): Promise<void> {
    try {
      await this.db.query(FINISH_RUN, [run.runId, run.status, run.files, run.inserted, run.skipped, run.error ?? null]);
    } finally {
      this.runOpen = null;
      this.wrote();
    }
  }

  async runs(limit: number): Promise<EtlRunRecord[]> {
    return (await this.db.query<EtlRunRecord>(LIST_RUNS, [limit])).rows;
  }

  async runFiles(runId: string, limit: number): Promise<{ key: string; rows: number }[]> {
    const r = await this.db.query<{ file_key: string; rows_in_file: number }>(RUN_FILES, [runId, limit]);
    return r.rows.map((x) => ({ key: x.file_key, rows: x.rows_in_file }));
  }

  async newestLoad(): Promise<number | null> {
    return (await this.db.query<{ at: number | null }>(NEWEST_LOAD)).rows[0]?.at ?? null;
  }

  /**
   * A user's query on this thread, as the reader role (pgliteReader.ts). It holds the thread until
   * it ends, so a signal only stops one not yet started: the app runs the editor's queries on a
   * snapshot in a worker it can end instead (pgliteQueries.ts).
   */
  async query(sql: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    if (opts.signal?.aborted) throw new PulseError('cancelled', 'the query was cancelled before it started');
    return readingQuery(this.db, this.parsers, sql, params);
  }

  /** Writes taken so far (a snapshot taken at fewer is behind), and whether an ETL run is open. */
  current(): WriteState {
    return { writes: this.writes, loading: this.runOpen !== null };
  }

  /** Tells `listener` the write state each time it changes (the warehouse worker sends it to the Host). */
  watchWrites(listener: (state: WriteState) => void): void {
    this.onWrites = listener;
  }

  private wrote(): void {
    this.writes++;
    this.onWrites?.(this.current());
  }

  /**
   * Copies the data directory to `into` while no statement runs (both of PGlite's locks held, the
   * copy synchronous on this thread): the files as a crash at that instant would leave them, which
   * PostgreSQL's recovery opens with every committed transaction. Resolves with the write state copied.
   */
  async snapshot(into: string): Promise<WriteState> {
    return this.db._runExclusiveTransaction(() =>
      this.db.runExclusive(async () => {
        fs.rmSync(into, { recursive: true, force: true });
        fs.cpSync(this.dataDir, into, {
          recursive: true,
          mode: fs.constants.COPYFILE_FICLONE,
          filter: (src) => path.basename(src) !== 'postmaster.pid',
        });
        return this.current();
      }),
    );
  }

  async totals(): Promise<{ factRows: number; revenue: number }> {
    const r = await this.db.query<{ fact_rows: number; revenue: number }>(TOTALS);
    return { factRows: r.rows[0].fact_rows, revenue: r.rows[0].revenue };
  }

  async syncCatalog(history: readonly Catalog[]): Promise<number> {
    return this.db.transaction((tx) =>
      syncCatalogVersions((sql, params) => tx.query<Record<string, unknown>>(sql, params), history),
    );
  }

  async maintain(): Promise<void> {
    // PGlite never autovacuums and runs with fsync off: analyze and checkpoint after bulk loads.
    await this.db.exec('VACUUM ANALYZE');
    await this.db.exec('CHECKPOINT');
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
