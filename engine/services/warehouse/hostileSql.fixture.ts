import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { QueryResult, Warehouse } from './port';
import { BUILTIN_V1, chunkOf, silverFile, type SilverFile } from './warehouse.contract';

/**
 * Shared by the editor's security tests on PostgreSQL and PGlite: the statements an attacker with
 * the editor (the web token, or script in the renderer) would try, each with the refusal a user
 * must see; and the legitimate questions that must still run as the reader.
 */
export function hostileStatements(tmp: string): [sql: string, refusal: RegExp][] {
  return [
    [`COPY (SELECT 1) TO PROGRAM 'id > ${tmp}/program.txt'`, /^COPY … TO PROGRAM is not allowed/],
    [`COPY (SELECT 1) TO '${tmp}/copy.csv'`, /^COPY … TO a file is not allowed/],
    [`COPY (SELECT 1) TO 'x.csv'`, /^COPY … TO a file is not allowed/],
    [`SELECT pg_read_file('/etc/hostname')`, /^function pg_read_file\(\) is not allowed in the warehouse editor/],
    [`SELECT * FROM pg_ls_dir('/')`, /^function pg_ls_dir\(\) is not allowed/],
    [`SELECT lo_import('/etc/hostname')`, /^function lo_import\(\) is not allowed/],
    [`SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(x int)`, /^function dblink\(\) is not allowed/],
    [`SET ROLE postgres`, /^SET ROLE is not allowed/],
    [`SET session_authorization = 'postgres'`, /^SET SESSION AUTHORIZATION is not allowed/],
    [`SELECT set_config('role', 'postgres', false)`, /^function set_config\(\) is not allowed/],
    [`DO $$ BEGIN CREATE TABLE rp_evil (a int); END $$`, /^DO is not allowed/],
    [`CREATE TEMP TABLE rp_evil (a int)`, /^CREATE TEMP TABLE is not allowed/],
    [`SELECT * INTO rp_evil FROM dim_store`, /^SELECT INTO is not allowed/],
    [`WITH gone AS (DELETE FROM fact_sales RETURNING 1) SELECT count(*) FROM gone`, /^a data-modifying WITH/],
    [`EXPLAIN ANALYZE DELETE FROM fact_sales`, /^EXPLAIN of DELETE is not allowed/],
    [`SELECT 1; SELECT 2`, /^2 statements \(SELECT; SELECT\): the editor runs one statement at a time/],
    [`SELECT count(*) FROM fact_sales; COMMIT`, /^2 statements \(SELECT; COMMIT\)/],
    // These pass the parser; the reader role stops them on the server.
    [`SELECT * FROM load_manifest`, /permission denied for table load_manifest/],
    [`TABLE etl_runs`, /permission denied for table etl_runs/],
  ];
}

/**
 * What a hostile statement could have changed, read from the catalogs: roles and their attributes
 * and settings, every relation outside the system schemas (temp tables included), large objects,
 * and the facts.
 */
export const STATE_SQL = `SELECT
  (SELECT string_agg(format('%s:%s%s%s%s%s:%s', rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolbypassrls, rolconfig), ',' ORDER BY rolname) FROM pg_roles) AS roles,
  (SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%') AS relations,
  (SELECT count(*) FROM pg_largeobject_metadata) AS large_objects,
  (SELECT count(*) FROM fact_sales) AS facts`;

/** Two days of sales across every store, product and many customers. */
export async function loadSample(w: Warehouse): Promise<SilverFile[]> {
  const files = [
    silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T09:00:00.000Z', 120, 21),
    silverFile('silver/sales/date=2026-03-07/part-0001.parquet', '2026-03-07T09:00:00.000Z', 120, 22),
  ];
  // The catalog version the lines were enriched with comes first, as the ETL applies it.
  await w.syncCatalog([BUILTIN_V1]);
  await w.loadChunk(await chunkOf(w, 'run-1', files));
  return files;
}

/** A question across the fact table and every dimension. */
export const STAR_JOIN = `SELECT s.city, p.category, d.is_weekend, count(DISTINCT c.customer_id) AS customers,
    count(*) AS lines, sum(f.line_amount) AS revenue
  FROM fact_sales f
  JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
  JOIN dim_customer c USING (customer_id) JOIN dim_date d USING (date_key)
  GROUP BY 1, 2, 3`;

/** The presets (sql/queries) and the star join, run through `query` as the reader: each gives rows, the join every line. */
export async function assertQuestionsRun(
  query: (sql: string) => Promise<QueryResult>,
  files: SilverFile[],
): Promise<void> {
  const dir = path.resolve('sql/queries');
  const presets = fs.readdirSync(dir).filter((f) => f.endsWith('.sql'));
  assert.equal(presets.length, 7);
  for (const f of presets) {
    const r = await query(fs.readFileSync(path.join(dir, f), 'utf8'));
    assert.ok(r.rows.length > 0, `${f} gives rows`);
  }
  const join = await query(STAR_JOIN);
  const lines = join.rows.reduce((n, r) => n + Number(r[4]), 0);
  const cents = join.rows.reduce((n, r) => n + Math.round(Number(r[5]) * 100), 0);
  assert.equal(
    lines,
    files.reduce((n, f) => n + f.rows, 0),
  );
  assert.equal(
    cents,
    files.reduce((n, f) => n + f.cents, 0),
  );
}

/** A folder anyone may write to, so a file the server could have written would be seen there. */
export function worldWritable(dir: string): string {
  fs.chmodSync(dir, 0o777);
  return dir;
}
