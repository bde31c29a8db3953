import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDuck } from '../services/lake/duck';
import { FolderLake } from '../services/lake/folderLake';
import { batchFileKey } from '../services/lake/keys';
import { tmpDirs } from '../testing/tmpDirs';
import { LakeSql, openLakeSqlDuck } from './lakeSql';

/**
 * Lake SQL sees the lake only: DuckDB's file access is limited to the lake folder (or the S3
 * download cache) and locked, and only one SELECT reaches it. Every hostile statement is refused
 * with a clear error and writes nothing, on the machine or in the lake.
 */

const tmp = tmpDirs('rp-lake-sql-');
let root: string;
let sql: LakeSql;
/** A file beside the lake, which lake SQL must not read. */
let outside: string;

before(async () => {
  const base = tmp();
  root = path.join(base, 'lake');
  outside = path.join(base, 'secret.csv');
  fs.writeFileSync(outside, 'secret\n42\n');
  const writer = await openDuck();
  for (const [hour, first] of [
    ['2026-03-06/10', 0],
    ['2026-03-06/11', 3],
  ] as const) {
    const file = path.join(root, batchFileKey('silver', hour, 0, first, first + 2));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await writer.run(
      `COPY (SELECT 'txn-' || (${first} + i) AS transaction_id, 10.5 * (i + 1) AS line_amount FROM range(3) t(i)) TO '${file}' (FORMAT parquet)`,
    );
  }
  sql = new LakeSql(new FolderLake(root), await openLakeSqlDuck([root]));
});

after(() => fs.rmSync('x.csv', { force: true }));

/** Every file under `dir`, as relative paths. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

test('lake SQL: every hostile statement is refused with a clear error and writes nothing', async () => {
  const lakeBefore = filesUnder(root);
  const cases: [string, RegExp][] = [
    [
      `SELECT * FROM read_csv('/etc/passwd')`,
      /^Permission Error: Cannot access file "\/etc\/passwd" - file system operations are disabled by configuration/,
    ],
    [
      `SELECT * FROM read_text('${os.homedir()}/.bashrc')`,
      /^Permission Error: Cannot access file ".*\.bashrc" - file system operations are disabled/,
    ],
    [`SELECT * FROM glob('/**')`, /^Permission Error: Cannot access file "\/\*\*"/],
    [`SELECT * FROM read_csv('${outside}')`, /^Permission Error: Cannot access file/],
    [`SELECT * FROM read_parquet('${root}/../secret.csv')`, /^Permission Error: Cannot access file/],
    [
      `ATTACH '${path.join(tmp(), 'other.db')}' AS other`,
      /^ATTACH is not allowed: lake SQL runs one SELECT over the lake's views/,
    ],
    [`INSTALL httpfs`, /^LOAD is not allowed/],
    [`LOAD httpfs`, /^LOAD is not allowed/],
    // DuckDB's binder refuses this path before the statement's kind is known: either way it is refused.
    [`COPY (SELECT 1) TO 'x.csv'`, /^Permission Error: Cannot access file "x.csv"|^COPY is not allowed/],
    [`COPY (SELECT * FROM silver) TO '${root}/silver/sales_lines/stolen.csv'`, /^COPY is not allowed/],
    [`EXPORT DATABASE '${root}/export'`, /^EXPORT is not allowed/],
    [`SET enable_external_access = true`, /^SET is not allowed/],
    [`SET allowed_directories = ['/']`, /^SET is not allowed/],
    [`CREATE TABLE t AS SELECT 1`, /^CREATE is not allowed/],
    [`PRAGMA threads = 64`, /^SET is not allowed/],
    [`SELECT 1; SELECT 2`, /^2 statements: lake SQL runs one SELECT at a time/],
    [`DROP VIEW silver`, /^DROP is not allowed/],
    [`   `, /^there is no statement to run/],
  ];
  for (const [text, refusal] of cases)
    await assert.rejects(
      sql.query(text),
      (e: { code?: string; field?: string; message?: string }) =>
        (e.code === 'config_invalid' && e.field === 'sql' && refusal.test(e.message ?? '')) ||
        assert.fail(`${text}: [${e.code}] ${e.message}`),
    );
  assert.deepEqual(filesUnder(root), lakeBefore, 'nothing written in the lake');
  assert.equal(fs.existsSync('x.csv'), false, 'nothing written where the engine runs');
  // The lake itself is still there to query.
  const r = await sql.query('SELECT count(*) AS lines, sum(line_amount) AS revenue FROM silver');
  assert.deepEqual(r.rows, [[6, 126]]);
  const files = await sql.query(`SELECT count(*) FROM glob('${root}/silver/**/*.parquet')`);
  assert.deepEqual(files.rows, [[2]]);
  // At most `limit` rows come back, even from a query that would give more.
  const many = await sql.query('SELECT i FROM range(5000) t(i) ORDER BY i', 10);
  assert.deepEqual(
    many.rows,
    Array.from({ length: 10 }, (_, i) => [i]),
  );
});
