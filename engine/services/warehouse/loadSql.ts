/**
 * The statements of one load transaction, shared by PGlite and PostgreSQL: the rows of a chunk go
 * to a staging table, dims are upserted from it, facts are inserted once (ON CONFLICT DO NOTHING
 * on transaction_id + line_no), and the chunk's files are added to the manifest.
 */
export const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS staging_sales (
  transaction_id text, line_no smallint, event_time timestamptz, store_id integer, store_name text, city text, region text,
  customer_id text, product_id integer, product_name text, category text, quantity integer,
  unit_price numeric(12,2), line_amount numeric(12,2), source_file text)`;

export const TRUNCATE_STAGING = 'TRUNCATE staging_sales';

export const UPSERT_DIMS = [
  `INSERT INTO dim_store (store_id, store_name, city, region)
   SELECT DISTINCT ON (store_id) store_id, store_name, city, region FROM staging_sales ORDER BY store_id
   ON CONFLICT (store_id) DO UPDATE SET store_name = EXCLUDED.store_name, city = EXCLUDED.city, region = EXCLUDED.region`,
  `INSERT INTO dim_product (product_id, product_name, category)
   SELECT DISTINCT ON (product_id) product_id, product_name, category FROM staging_sales ORDER BY product_id
   ON CONFLICT (product_id) DO UPDATE SET product_name = EXCLUDED.product_name, category = EXCLUDED.category`,
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

export const INSERT_FACTS = `INSERT INTO fact_sales (transaction_id, line_no, date_key, store_id, product_id, customer_id, event_time, quantity, unit_price, line_amount, source_file)
  SELECT transaction_id, line_no, to_char((event_time AT TIME ZONE 'UTC')::date, 'YYYYMMDD')::integer, store_id, product_id, customer_id,
    event_time, quantity, unit_price, line_amount, source_file
  FROM staging_sales
  ON CONFLICT (transaction_id, line_no) DO NOTHING`;

export const INSERT_MANIFEST = `INSERT INTO load_manifest (file_key, rows_in_file, run_id)
  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[])`;

export const BEGIN_RUN = `INSERT INTO etl_runs (run_id, started_at, status) VALUES ($1, now(), 'running')`;
export const FINISH_RUN = `UPDATE etl_runs SET finished_at = now(), status = $2, files_loaded = $3, rows_inserted = $4, rows_skipped = $5, error = $6 WHERE run_id = $1`;
export const LIST_RUNS = `SELECT run_id, started_at::text, finished_at::text, status, files_loaded, rows_inserted::float8 AS rows_inserted, rows_skipped::float8 AS rows_skipped, error
  FROM etl_runs ORDER BY started_at DESC LIMIT $1`;
export const TOTALS = `SELECT count(*)::float8 AS fact_rows, coalesce(sum(line_amount), 0)::float8 AS revenue FROM fact_sales`;

export function manifestParams(runId: string, files: { key: string; rows: number }[]): unknown[] {
  return [files.map((f) => f.key), files.map((f) => f.rows), files.map(() => runId)];
}
