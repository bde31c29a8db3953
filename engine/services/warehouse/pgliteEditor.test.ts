import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../config';
import { tmpDirs } from '../../testing/tmpDirs';
import { spawnReaderWorker } from '../../workers/readerWorker';
import { assertQuestionsRun, hostileStatements, loadSample, STATE_SQL, worldWritable } from './hostileSql.fixture';
import { PgliteQueries } from './pgliteQueries';
import { PgliteWarehouse } from './pgliteWarehouse';
import { chunkOf, silverFile } from './warehouse.contract';

/**
 * The warehouse editor on the embedded warehouse, as the app runs it: each query in a reader
 * worker on a snapshot of PGlite's data directory, as the reader role, the same parser gate as
 * PostgreSQL. Cancel and the statement timeout end that worker; the warehouse itself goes on.
 */

const tmp = tmpDirs('rp-pglite-editor-');
const initSql = fs.readFileSync(path.resolve('sql/init.sql'), 'utf8');
/** About a minute of work in PGlite on any machine: 400 million rows multiplied and summed. */
const LONG_QUERY = 'SELECT sum(a.g * b.g) FROM generate_series(1, 20000) a(g), generate_series(1, 20000) b(g)';

let warehouse: PgliteWarehouse;
let dataDir: string;
before(async () => {
  dataDir = tmp();
  warehouse = await PgliteWarehouse.open(path.join(dataDir, 'warehouse'), initSql);
});
after(() => warehouse.close());

function editor(opts: { statementTimeoutMs?: number } = {}): PgliteQueries {
  const config = resolveConfig({ dataDir });
  return new PgliteQueries(warehouse, {
    dir: path.join(tmp(), 'snapshots'),
    spawn: (dir) => spawnReaderWorker(config, dir),
    ...opts,
  });
}

let seq = 0;
const run = (q: PgliteQueries, sql: string) => q.queryWithId(`q${++seq}`, sql);

test('PGlite: every hostile statement is refused with a clear error and changes nothing; the questions still run as the reader', async () => {
  const sample = await loadSample(warehouse);
  const q = editor();
  const files = worldWritable(tmp());
  try {
    const stateBefore = await run(q, STATE_SQL);
    for (const [sql, refusal] of hostileStatements(files))
      await assert.rejects(
        run(q, sql),
        (e: { message?: string }) => refusal.test(e.message ?? '') || assert.fail(`${sql}: ${e.message}`),
      );
    assert.deepEqual((await run(q, STATE_SQL)).rows, stateBefore.rows, 'no role, table or object changed');
    assert.deepEqual((await warehouse.query(STATE_SQL)).rows, stateBefore.rows, 'nor in the warehouse itself');
    assert.deepEqual(fs.readdirSync(files), [], 'no file written');
    assert.deepEqual((await run(q, 'SELECT current_user')).rows, [['retail_pulse_reader']]);
    await assertQuestionsRun((sql) => run(q, sql), sample);
  } finally {
    await q.close();
  }
});

test('PGlite: Cancel stops a running query within a second, answers true only when it did, and the editor goes on', async () => {
  const q = editor({ statementTimeoutMs: 120_000 });
  try {
    await run(q, 'SELECT 1'); // the reader worker is open: the long query starts at once
    const long = q.queryWithId('long', LONG_QUERY);
    const queued = q.queryWithId('queued', 'SELECT 2 AS two');
    // Refused text does not wait behind the running query.
    await assert.rejects(q.queryWithId('refused', 'DELETE FROM fact_sales'), /DELETE is not allowed/);
    await new Promise((r) => setTimeout(r, 1000)); // the user waits a moment, then clicks Cancel
    const clicked = Date.now();
    assert.equal(await q.cancel('long'), true);
    await assert.rejects(long, { code: 'cancelled', message: 'the query was cancelled' });
    assert.ok(Date.now() - clicked < 1000, `stopped ${Date.now() - clicked} ms after Cancel`);
    // The query queued behind it runs on a new reader; cancelling a finished query answers false.
    assert.deepEqual((await queued).rows, [[2]]);
    assert.equal(await q.cancel('queued'), false);
    assert.equal(await q.cancel('never-ran'), false);
    // A query cancelled before its turn never runs.
    const first = q.queryWithId('first', 'SELECT 3');
    const second = q.queryWithId('second', 'SELECT 4');
    assert.equal(await q.cancel('second'), true);
    await assert.rejects(second, { code: 'cancelled', message: 'the query was cancelled before it started' });
    assert.deepEqual((await first).rows, [[3]]);
  } finally {
    await q.close();
  }
});

test('PGlite: the statement timeout stops a query that runs too long, with the limit named', async () => {
  const q = editor({ statementTimeoutMs: 1500 });
  try {
    await run(q, 'SELECT 1');
    const started = Date.now();
    await assert.rejects(run(q, LONG_QUERY), {
      code: 'timeout',
      message: 'the query ran past the 1500 ms statement timeout and was stopped',
    });
    assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
    assert.deepEqual((await run(q, 'SELECT 5')).rows, [[5]]);
  } finally {
    await q.close();
  }
});

test('PGlite: the editor reads the warehouse as of its last write, and not a run still loading', async () => {
  const q = editor();
  const count = async () => Number((await run(q, 'SELECT count(*) FROM fact_sales')).rows[0][0]);
  try {
    const before = await count();
    const day = silverFile('silver/sales/date=2026-04-01/part-0001.parquet', '2026-04-01T10:00:00.000Z', 30, 31);
    await warehouse.loadChunk(await chunkOf(warehouse, 'run-x', [day]));
    assert.equal(await count(), before + day.rows, 'a load is seen by the next query');
    await warehouse.beginRun('run-open');
    const more = silverFile('silver/sales/date=2026-04-02/part-0001.parquet', '2026-04-02T10:00:00.000Z', 30, 32);
    await warehouse.loadChunk(await chunkOf(warehouse, 'run-open', [more]));
    assert.equal(await count(), before + day.rows, 'a run still loading is not half-seen');
    await warehouse.finishRun({ runId: 'run-open', status: 'succeeded', files: 1, inserted: more.rows, skipped: 0 });
    assert.equal(await count(), before + day.rows + more.rows);
  } finally {
    await q.close();
  }
});
