import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkReadingSql } from './readingSql';

const refusedAs = (pattern: RegExp) => (e: { code?: string; field?: string; message?: string }) => {
  assert.equal(e.code, 'config_invalid');
  assert.equal(e.field, 'sql');
  assert.match(e.message ?? '', pattern);
  return true;
};

test('reading statements pass: SELECT, WITH … SELECT, VALUES, TABLE, EXPLAIN of those, and every preset', async () => {
  for (const sql of [
    'SELECT 1',
    'select count(*) from fact_sales;',
    'WITH t AS (SELECT store_id FROM dim_store) SELECT * FROM t',
    'VALUES (1, 2), (3, 4)',
    'TABLE dim_store',
    'EXPLAIN SELECT * FROM fact_sales',
    'EXPLAIN (ANALYZE, BUFFERS) WITH x AS (SELECT 1) SELECT * FROM x',
    'SELECT 1 UNION ALL SELECT 2',
    '-- a comment first\nSELECT pg_sleep(0)',
    "SELECT 'DELETE FROM fact_sales; COMMIT' AS text_not_sql",
  ])
    await checkReadingSql(sql);
  const dir = path.resolve('sql/queries');
  for (const f of fs.readdirSync(dir)) await checkReadingSql(fs.readFileSync(path.join(dir, f), 'utf8'));
});

test('every other kind is refused with its kind named', async () => {
  const cases: [string, RegExp][] = [
    [
      "COPY (SELECT 1) TO PROGRAM 'id > /tmp/x'",
      /^COPY … TO PROGRAM is not allowed: the warehouse editor runs one reading statement \(SELECT, WITH … SELECT, VALUES, TABLE, or EXPLAIN/,
    ],
    ["COPY (SELECT 1) TO '/tmp/rp-x.csv'", /^COPY … TO a file is not allowed/],
    ['COPY fact_sales FROM STDIN', /^COPY … FROM is not allowed/],
    ["INSERT INTO dim_store VALUES (99, 'x', 'y', 'z')", /^INSERT is not allowed/],
    ['DELETE FROM fact_sales', /^DELETE is not allowed/],
    ['UPDATE dim_store SET city = 1', /^UPDATE is not allowed/],
    ['SET ROLE postgres', /^SET ROLE is not allowed/],
    ['SET session_authorization = postgres', /^SET SESSION AUTHORIZATION is not allowed/],
    ['SET search_path TO nowhere', /^SET search_path is not allowed/],
    ['RESET ROLE', /^RESET ROLE is not allowed/],
    ['DO $$ BEGIN PERFORM 1; END $$', /^DO is not allowed/],
    ['CREATE TEMP TABLE t (a int)', /^CREATE TEMP TABLE is not allowed/],
    ['CREATE TABLE t AS SELECT 1', /^CREATE TABLE AS is not allowed/],
    ['SELECT * INTO t2 FROM dim_store', /^SELECT INTO is not allowed/],
    ['SELECT * FROM dim_store FOR UPDATE', /^SELECT … FOR UPDATE\/SHARE \(it locks rows\) is not allowed/],
    [
      'WITH gone AS (DELETE FROM fact_sales RETURNING *) SELECT count(*) FROM gone',
      /^a data-modifying WITH \(DELETE\) is not allowed/,
    ],
    ['EXPLAIN ANALYZE DELETE FROM fact_sales', /^EXPLAIN of DELETE is not allowed/],
    ['COMMIT', /^COMMIT is not allowed/],
    ['BEGIN', /^BEGIN is not allowed/],
    ['CREATE ROLE x SUPERUSER', /^CREATE ROLE is not allowed/],
    ['ALTER ROLE retail_pulse_reader SUPERUSER', /^ALTER ROLE is not allowed/],
    ['GRANT SELECT ON load_manifest TO PUBLIC', /^GRANT is not allowed/],
    ['DROP TABLE fact_sales', /^DROP TABLE is not allowed/],
    ['TRUNCATE fact_sales', /^TRUNCATE is not allowed/],
    ['CALL p()', /^CALL is not allowed/],
    ["LOAD 'plpgsql'", /^LOAD is not allowed/],
    ['SHOW ALL', /^SHOW is not allowed/],
    ['VACUUM fact_sales', /^VACUUM is not allowed/],
    ['LISTEN x', /^LISTEN is not allowed/],
    ['SELECT 1; SELECT 2', /^2 statements \(SELECT; SELECT\): the editor runs one statement at a time/],
    ['SELECT count(*) FROM fact_sales; COMMIT', /^2 statements \(SELECT; COMMIT\)/],
    ["SELECT pg_read_file('/etc/hostname')", /^function pg_read_file\(\) is not allowed in the warehouse editor/],
    ["SELECT * FROM pg_ls_dir('/')", /^function pg_ls_dir\(\) is not allowed/],
    ["SELECT lo_import('/etc/hostname')", /^function lo_import\(\) is not allowed/],
    ["SELECT * FROM dblink('host=x', 'SELECT 1') AS t(a int)", /^function dblink\(\) is not allowed/],
    ["SELECT pg_catalog.set_config('role', 'postgres', false)", /^function pg_catalog\.set_config\(\) is not allowed/],
    ["SELECT (SELECT query_to_xml('SELECT 1', true, false, ''))", /^function query_to_xml\(\) is not allowed/],
    ['SELECT pg_advisory_lock(1)', /^function pg_advisory_lock\(\) is not allowed/],
    ["SELECT nextval('s')", /^function nextval\(\) is not allowed/],
    ['SELEC 1', /^syntax error at or near "SELEC"/],
    ['', /^there is no statement to run$/],
    ['-- nothing', /^there is no statement to run \(only comments\)/],
  ];
  for (const [sql, pattern] of cases) await assert.rejects(checkReadingSql(sql), refusedAs(pattern), sql);
});
