import { KNOWN_VERSIONS } from './catalogSql';
import { pieces, type CopyPiece } from './copyBinary';
import { FACT_COLUMNS, type DimKeys, type LoadChunk, type LoadResult } from './port';

/**
 * The statements of one load transaction, shared by PGlite and PostgreSQL. The chunk's files are
 * claimed in the manifest first; when all of them are new (the usual case), their rows are copied
 * straight into fact_sales, keys resolved beforehand by the ETL. A chunk holding a file already
 * loaded, or a line fact_sales already has (a sale two stream workers both accepted), goes through
 * a staging table instead and inserts only the new files' new lines.
 */

const COLUMNS = FACT_COLUMNS.join(', ');

/** The chunk's files into the manifest; returns those that were not there (this chunk loads them). */
export const CLAIM_FILES = `INSERT INTO load_manifest (file_key, rows_in_file, run_id)
  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[])
  ON CONFLICT (file_key) DO NOTHING RETURNING file_key`;

/** COPY of one binary piece into `table` from `source` (PGlite: '/dev/blob', PostgreSQL: STDIN). */
export function copyFactsSql(table: LoadTable, source: string): string {
  return `COPY ${table} (${COLUMNS}) FROM ${source} WITH (FORMAT binary)`;
}

export const CREATE_STAGING = `CREATE TEMP TABLE staging_facts (LIKE fact_sales) ON COMMIT DROP`;
export const INSERT_FROM_STAGING = `INSERT INTO fact_sales (${COLUMNS})
  SELECT ${COLUMNS} FROM staging_facts WHERE source_file = ANY($1::text[])
  ON CONFLICT (transaction_id, line_no) DO NOTHING`;

export const UPSERT_CUSTOMERS = `INSERT INTO dim_customer (customer_id, first_seen_at, last_seen_at)
  SELECT id, min(first), max(last) FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS c(id, first, last) GROUP BY id
  ON CONFLICT (customer_id) DO UPDATE SET first_seen_at = LEAST(dim_customer.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at = GREATEST(dim_customer.last_seen_at, EXCLUDED.last_seen_at)
  WHERE EXCLUDED.first_seen_at < dim_customer.first_seen_at OR EXCLUDED.last_seen_at > dim_customer.last_seen_at`;

export const UPSERT_DAYS = `INSERT INTO dim_date (date_key, full_date, year, quarter, month, day, iso_weekday, is_weekend)
  SELECT DISTINCT to_char(d, 'YYYYMMDD')::integer, d, extract(year FROM d), extract(quarter FROM d), extract(month FROM d),
    extract(day FROM d), extract(isodow FROM d), extract(isodow FROM d) IN (5, 6)
  FROM unnest($1::date[]) AS days(d)
  ON CONFLICT (date_key) DO NOTHING`;

/** Each catalog version's store and product rows (the ones in force at its valid_from). */
export const STORE_KEYS = `SELECT v.version, d.store_id, d.store_key::float8 AS key FROM catalog_versions v
  JOIN dim_store d ON d.valid_from <= v.valid_from AND v.valid_from < d.valid_to`;
export const PRODUCT_KEYS = `SELECT v.version, d.product_id, d.product_key::float8 AS key FROM catalog_versions v
  JOIN dim_product d ON d.valid_from <= v.valid_from AND v.valid_from < d.valid_to`;

export const BEGIN_RUN = `INSERT INTO etl_runs (run_id, started_at, status) VALUES ($1, now(), 'running')`;
/** Called with the ETL lock held, so a run still 'running' belongs to a process that stopped mid-run. */
export const FAIL_ORPHAN_RUNS = `UPDATE etl_runs SET finished_at = now(), status = 'failed',
  error = coalesce(error, 'interrupted: the process running it stopped before it finished') WHERE status = 'running'`;
export const FINISH_RUN = `UPDATE etl_runs SET finished_at = now(), status = $2, files_loaded = $3, rows_inserted = $4, rows_skipped = $5, error = $6 WHERE run_id = $1`;
export const LIST_RUNS = `SELECT run_id, started_at::text, finished_at::text, status, files_loaded, rows_inserted::float8 AS rows_inserted, rows_skipped::float8 AS rows_skipped, error
  FROM etl_runs ORDER BY started_at DESC LIMIT $1`;
/** The silver files one run loaded, and when the newest load happened (epoch ms): the ETL runs page and freshness. */
export const RUN_FILES = `SELECT file_key, rows_in_file FROM load_manifest WHERE run_id = $1 ORDER BY file_key LIMIT $2`;
export const NEWEST_LOAD = `SELECT (extract(epoch FROM max(loaded_at)) * 1000)::float8 AS at FROM load_manifest`;
export const TOTALS = `SELECT count(*)::float8 AS fact_rows, coalesce(sum(line_amount), 0)::float8 AS revenue FROM fact_sales`;

export function manifestParams(runId: string, files: { key: string; rows: number }[]): unknown[] {
  return [files.map((f) => f.key), files.map((f) => f.rows), files.map(() => runId)];
}

export type LoadTable = 'fact_sales' | 'staging_facts';

/** One open transaction of an adapter: statements, and COPY of one binary piece (copyFactsSql; returns its rows). */
export interface LoadSession {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  copy(table: LoadTable, piece: CopyPiece): Promise<number>;
}

/** The chunk's load inside the caller's transaction (see the top of this file). */
export async function loadChunkIn(s: LoadSession, chunk: LoadChunk): Promise<LoadResult> {
  const claimed = (await s.query(CLAIM_FILES, manifestParams(chunk.runId, chunk.files))).rows.map((r) =>
    String(r.file_key),
  );
  let inserted = 0;
  if (claimed.length === 0) return { inserted, skipped: chunk.facts.rows };
  if (claimed.length === chunk.files.length) {
    await s.query('SAVEPOINT facts');
    try {
      for (const piece of pieces(chunk.facts)) inserted += await s.copy('fact_sales', piece);
      await s.query('RELEASE SAVEPOINT facts');
    } catch (err) {
      if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
      await s.query('ROLLBACK TO SAVEPOINT facts');
      inserted = await viaStaging(s, chunk, claimed);
    }
  } else inserted = await viaStaging(s, chunk, claimed);
  const c = chunk.customers;
  await s.query(UPSERT_CUSTOMERS, [c.ids, c.first, c.last]);
  await s.query(UPSERT_DAYS, [chunk.days]);
  return { inserted, skipped: chunk.facts.rows - inserted };
}

const UNIQUE_VIOLATION = '23505';

async function viaStaging(s: LoadSession, chunk: LoadChunk, claimed: string[]): Promise<number> {
  await s.query(CREATE_STAGING);
  for (const piece of pieces(chunk.facts)) await s.copy('staging_facts', piece);
  const r = await s.query(`WITH ins AS (${INSERT_FROM_STAGING} RETURNING 1) SELECT count(*)::float8 AS n FROM ins`, [
    claimed,
  ]);
  return Number(r.rows[0].n);
}

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

export async function readDimKeys(query: Query): Promise<DimKeys> {
  const columns = (rows: Record<string, unknown>[], id: string) => ({
    version: rows.map((r) => String(r.version)),
    id: rows.map((r) => Number(r[id])),
    key: rows.map((r) => Number(r.key)),
  });
  return {
    versions: (await query(KNOWN_VERSIONS)).rows.map((r) => String(r.version)),
    stores: columns((await query(STORE_KEYS)).rows, 'store_id'),
    products: columns((await query(PRODUCT_KEYS)).rows, 'product_id'),
  };
}
