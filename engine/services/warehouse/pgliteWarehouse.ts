import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PulseError } from '../../errors';
import { BEGIN_RUN, CREATE_STAGING, FINISH_RUN, INSERT_FACTS, INSERT_MANIFEST, LIST_RUNS, TOTALS, TRUNCATE_STAGING, UPSERT_DIMS, manifestParams } from './loadSql';
import type { EtlRunRecord, LoadChunk, LoadResult, QueryResult, Warehouse } from './port';

/**
 * The embedded warehouse: PGlite (PostgreSQL in WASM) with a data directory. It blocks its thread
 * for a whole query, so it runs in the warehouse worker, never on a UI thread.
 */
export class PgliteWarehouse implements Warehouse {
  readonly kind = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(dataDir: string, initSql: string): Promise<PgliteWarehouse> {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    let db: PGlite;
    try {
      db = await PGlite.create({
        dataDir,
        // Without these the WAL grows past a gigabyte after a few reloads (LAB-NOTES).
        postgresqlconf: ['max_wal_size = 64MB', 'min_wal_size = 32MB'],
      });
    } catch (cause) {
      throw new PulseError('warehouse_failed', `cannot open the embedded warehouse at ${dataDir}: ${(cause as Error).message}. It is rebuildable from the lake: move the folder away and run the ETL again.`, { cause });
    }
    await db.exec(initSql);
    await db.exec(CREATE_STAGING);
    return new PgliteWarehouse(db);
  }

  async loadedFiles(): Promise<string[]> {
    const r = await this.db.query<{ file_key: string }>('SELECT file_key FROM load_manifest');
    return r.rows.map((x) => x.file_key);
  }

  async loadChunk(chunk: LoadChunk): Promise<LoadResult> {
    return this.db.transaction(async (tx) => {
      await tx.query(TRUNCATE_STAGING);
      await tx.query(`COPY staging_sales FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([chunk.csv]) });
      for (const sql of UPSERT_DIMS) await tx.query(sql);
      const facts = await tx.query(INSERT_FACTS);
      await tx.query(INSERT_MANIFEST, manifestParams(chunk.runId, chunk.files));
      const staged = chunk.files.reduce((s, f) => s + f.rows, 0);
      const inserted = facts.affectedRows ?? 0;
      return { inserted, skipped: staged - inserted };
    });
  }

  async beginRun(runId: string): Promise<void> {
    await this.db.query(BEGIN_RUN, [runId]);
  }

  async finishRun(run: { runId: string; status: 'succeeded' | 'failed'; files: number; inserted: number; skipped: number; error?: string }): Promise<void> {
    await this.db.query(FINISH_RUN, [run.runId, run.status, run.files, run.inserted, run.skipped, run.error ?? null]);
  }

  async runs(limit: number): Promise<EtlRunRecord[]> {
    return (await this.db.query<EtlRunRecord>(LIST_RUNS, [limit])).rows;
  }

  async query(sql: string, params: unknown[] = []): Promise<QueryResult> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY');
      const r = await tx.query<unknown[]>(sql, params, { rowMode: 'array' });
      return { columns: r.fields.map((f) => f.name), rows: r.rows };
    });
  }

  async totals(): Promise<{ factRows: number; revenue: number }> {
    const r = await this.db.query<{ fact_rows: number; revenue: number }>(TOTALS);
    return { factRows: r.rows[0].fact_rows, revenue: r.rows[0].revenue };
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
