import { PulseError } from '../../errors';
import { STAGING_COLUMNS, type LoadChunk, type LoadResult } from './port';

/**
 * The statements of one load transaction, shared by PGlite and PostgreSQL: the rows of a chunk go
 * to a staging table, dims are upserted from it, facts are inserted once (ON CONFLICT DO NOTHING
 * on transaction_id + line_no), and the chunk's files are added to the manifest.
 */
export const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS staging_sales (
  transaction_id text, line_no smallint, event_time timestamptz, store_id integer, store_name text, city text, region text,
  customer_id text, product_id integer, product_name text, category text, quantity integer,
  unit_price numeric(12,2), line_amount numeric(12,2), source_file text, catalog_version text)`;

export const TRUNCATE_STAGING = 'TRUNCATE staging_sales';

/** COPY into staging from `source` (PGlite: '/dev/blob', PostgreSQL: STDIN), columns named so a reordered table cannot shift them. */
export function copyStagingSql(source: string): string {
  return `COPY staging_sales (${STAGING_COLUMNS.join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

/** Rows of files already in the manifest leave staging first: such a file is skipped whole, its dims untouched. */
export const DROP_LOADED_FROM_STAGING = `DELETE FROM staging_sales
  WHERE source_file IN (SELECT file_key FROM load_manifest WHERE file_key = ANY($1::text[]))`;

/** Stores and products come from catalog versions (catalogSql.ts); customers and days from the facts. */
export const UPSERT_DIMS = [
  `INSERT INTO dim_customer (customer_id, first_seen_at, last_seen_at)
   SELECT customer_id, min(event_time), max(event_time) FROM staging_sales GROUP BY customer_id
   ON CONFLICT (customer_id) DO UPDATE SET first_seen_at = LEAST(dim_customer.first_seen_at, EXCLUDED.first_seen_at),
     last_seen_at = GREATEST(dim_customer.last_seen_at, EXCLUDED.last_seen_at)`,
  `INSERT INTO dim_date (date_key, full_date, year, quarter, month, day, iso_weekday, is_weekend)
   SELECT DISTINCT to_char(d, 'YYYYMMDD')::integer, d, extract(year FROM d), extract(quarter FROM d), extract(month FROM d),
     extract(day FROM d), extract(isodow FROM d), extract(isodow FROM d) IN (5, 6)
   FROM (SELECT DISTINCT (event_time AT TIME ZONE 'UTC')::date AS d FROM staging_sales) days
   ON CONFLICT (date_key) DO NOTHING`,
];

/**
 * A line's catalog version (silver written before versions existed: the first one) and the dim rows
 * in force at that version's valid_from: the store and product as the line was enriched.
 */
const WITH_DIMS = `FROM staging_sales s
  LEFT JOIN catalog_versions v
    ON v.version = coalesce(s.catalog_version, (SELECT version FROM catalog_versions ORDER BY valid_from, applied_at LIMIT 1))
  LEFT JOIN dim_store ds ON ds.store_id = s.store_id AND ds.valid_from <= v.valid_from AND v.valid_from < ds.valid_to
  LEFT JOIN dim_product dp ON dp.product_id = s.product_id AND dp.valid_from <= v.valid_from AND v.valid_from < dp.valid_to`;

/** A staged line whose catalog version, store or product the warehouse does not have (none, normally). */
export const UNMATCHED_LINE = `SELECT s.source_file, s.catalog_version, s.store_id, s.product_id,
    v.version IS NULL AS no_version, ds.store_key IS NULL AS no_store
  ${WITH_DIMS}
  WHERE v.version IS NULL OR ds.store_key IS NULL OR dp.product_key IS NULL LIMIT 1`;

export const INSERT_FACTS = `INSERT INTO fact_sales (transaction_id, line_no, date_key, store_id, product_id, customer_id, event_time, quantity, unit_price, line_amount, source_file, store_key, product_key, catalog_version)
  SELECT s.transaction_id, s.line_no, to_char((s.event_time AT TIME ZONE 'UTC')::date, 'YYYYMMDD')::integer, s.store_id, s.product_id, s.customer_id,
    s.event_time, s.quantity, s.unit_price, s.line_amount, s.source_file, ds.store_key, dp.product_key, v.version
  ${WITH_DIMS}
  ON CONFLICT (transaction_id, line_no) DO NOTHING`;

export const INSERT_MANIFEST = `INSERT INTO load_manifest (file_key, rows_in_file, run_id)
  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[])
  ON CONFLICT (file_key) DO NOTHING`;

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

type Exec = (sql: string, params?: unknown[]) => Promise<{ affectedRows?: number; rows?: unknown[] }>;

/**
 * The rest of a load once `copied` rows are in staging, inside the caller's transaction: drop rows of
 * files already loaded, upsert dims, insert facts once, add the chunk's files to the manifest.
 */
export async function loadStaged(exec: Exec, chunk: LoadChunk, copied: number): Promise<LoadResult> {
  await exec(DROP_LOADED_FROM_STAGING, [chunk.files.map((f) => f.key)]);
  const unmatched = (await exec(UNMATCHED_LINE)).rows?.[0] as Record<string, unknown> | undefined;
  if (unmatched) {
    const what = unmatched.no_version
      ? `catalog version ${String(unmatched.catalog_version)}, which the warehouse does not have`
      : unmatched.no_store
        ? `store ${String(unmatched.store_id)}, which catalog version ${String(unmatched.catalog_version)} does not have in the warehouse`
        : `product ${String(unmatched.product_id)}, which catalog version ${String(unmatched.catalog_version)} does not have in the warehouse`;
    throw new PulseError(
      'warehouse_failed',
      `${String(unmatched.source_file)} has a line of ${what}: the warehouse's catalog history is behind the lake's (reference/catalog/); run the ETL again, it applies the missing versions first`,
    );
  }
  for (const sql of UPSERT_DIMS) await exec(sql);
  const inserted = (await exec(INSERT_FACTS)).affectedRows ?? 0;
  await exec(INSERT_MANIFEST, manifestParams(chunk.runId, chunk.files));
  return { inserted, skipped: copied - inserted };
}
