import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { testService } from '../../testing/realServices';
import { PgWarehouse } from './pgWarehouse';
import { BUILTIN_V1, chunkOf, silverFile, warehouseContract } from './warehouse.contract';

const initSqlPath = path.resolve('sql/init.sql');
const serverUrl = testService('postgres');
/** A password that must never show in a message (trust auth, or the real one when the server checks it). */
const SECRET = new URL(serverUrl).password || 'n0t-Sh0wn-7f3a';

const databases: string[] = [];
async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new, empty database on the test server; dropped when the file's tests are done. */
async function freshDatabase(): Promise<string> {
  const name = `rp_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  if (!u.password) u.password = SECRET;
  return u.toString();
}
after(() =>
  admin(async (c) => {
    for (const name of databases) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }),
);

warehouseContract('PostgreSQL', async () => {
  const warehouse = await PgWarehouse.open({ url: await freshDatabase(), initSqlPath });
  return { warehouse, cleanup: () => warehouse.close() };
});

type Failure = { code?: string; message?: string; retriable?: boolean };

test('PostgreSQL: one ETL run at a time across processes, and the next after it finishes', async () => {
  const url = await freshDatabase();
  const [a, b] = await Promise.all([PgWarehouse.open({ url, initSqlPath }), PgWarehouse.open({ url, initSqlPath })]);
  try {
    await a.beginRun('etl-a');
    await assert.rejects(b.beginRun('etl-b'), (e: Failure) => {
      assert.equal(e.code, 'etl_busy');
      assert.match(
        e.message ?? '',
        /^an ETL run is already loading the warehouse \(run etl-a started .*held by retail-pulse, backend pid \d+/,
      );
      return true;
    });
    await a.finishRun({ runId: 'etl-a', status: 'succeeded', files: 0, inserted: 0, skipped: 0 });
    await b.beginRun('etl-b');
    await b.finishRun({ runId: 'etl-b', status: 'succeeded', files: 0, inserted: 0, skipped: 0 });
    // A run left open by an app that went away no longer blocks, and is marked failed by the next one.
    await a.beginRun('etl-orphan');
    await a.close();
    await b.beginRun('etl-c');
    const runs = await b.runs(10);
    assert.deepEqual(runs.find((r) => r.run_id === 'etl-orphan')?.status, 'failed');
    assert.match(runs.find((r) => r.run_id === 'etl-orphan')?.error ?? '', /interrupted/);
    await b.finishRun({ runId: 'etl-c', status: 'succeeded', files: 0, inserted: 0, skipped: 0 });
  } finally {
    await a.close();
    await b.close();
  }
});

test('PostgreSQL: aborting a query cancels it on the server within a second; the pool still works', async () => {
  const w = await PgWarehouse.open({ url: await freshDatabase(), initSqlPath });
  try {
    const abort = new AbortController();
    const started = Date.now();
    const slow = w.query('SELECT pg_sleep(5)', [], { signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    await assert.rejects(slow, (e: Failure) => e.code === 'cancelled' && /cancelled/.test(e.message ?? ''));
    assert.ok(Date.now() - started < 1500, `cancelled after ${Date.now() - started} ms`);
    await assert.rejects(w.query('SELECT 1', [], { signal: abort.signal }), /cancelled before it started/);
    const again = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => w.query('SELECT $1::int AS i', [i])));
    assert.deepEqual(
      again.map((r) => r.rows[0][0]),
      [1, 2, 3, 4, 5, 6],
    );
  } finally {
    await w.close();
  }
});

test('PostgreSQL: the statement timeout stops a slow query with a clear error', async () => {
  const w = await PgWarehouse.open({ url: await freshDatabase(), initSqlPath, statementTimeoutMs: 300 });
  try {
    const started = Date.now();
    await assert.rejects(
      w.query('SELECT pg_sleep(5)'),
      (e: Failure) => e.code === 'timeout' && /ran past the 300 ms statement timeout/.test(e.message ?? ''),
    );
    assert.ok(Date.now() - started < 2000);
    assert.deepEqual((await w.query('SELECT 2 AS two')).rows, [[2]]);
  } finally {
    await w.close();
  }
});

test('PostgreSQL: a connection killed mid-load loses nothing and loads nothing twice on retry', async () => {
  const url = await freshDatabase();
  const w = await PgWarehouse.open({ url, initSqlPath });
  await w.syncCatalog([BUILTIN_V1]);
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  try {
    const big = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T00:00:00.000Z', 60_000, 11);
    const small = silverFile('silver/sales/date=2026-03-06/part-0002.parquet', '2026-03-06T12:00:00.000Z', 3, 12);
    const chunk = await chunkOf(w, 'run-1', [small, big]);
    let killed = 0;
    const loading = w.loadChunk(chunk);
    const outcome = loading.then(
      () => 'loaded',
      (e: Failure) => e,
    );
    for (let i = 0; i < 500 && !killed; i++) {
      const r = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'COPY fact_sales%' AND state = 'active'`,
      );
      for (const { pid } of r.rows)
        killed += (await watcher.query('SELECT pg_terminate_backend($1)', [pid])).rowCount ?? 0;
      if (!killed) await new Promise((res) => setTimeout(res, 5));
    }
    assert.ok(killed, 'never saw the COPY running');
    const e = (await outcome) as Failure;
    assert.equal(e.code, 'warehouse_failed');
    assert.equal(e.retriable, true);
    assert.match(e.message ?? '', /cannot reach the PostgreSQL warehouse at postgres:\/\/127\.0\.0\.1:\d+\/rp_test_/);
    assert.ok(!(e.message ?? '').includes(SECRET));
    assert.deepEqual(await w.totals(), { factRows: 0, revenue: 0 });
    assert.deepEqual(await w.loadedFiles(), []);
    assert.deepEqual(await w.loadChunk(chunk), { inserted: small.rows + big.rows, skipped: 0 });
    assert.deepEqual(await w.loadChunk(chunk), { inserted: 0, skipped: small.rows + big.rows });
    const totals = await w.totals();
    assert.equal(totals.factRows, small.rows + big.rows);
    assert.equal(Math.round(totals.revenue * 100), small.cents + big.cents);
  } finally {
    await watcher.end();
    await w.close();
  }
});

test('PostgreSQL: after the server drops every connection the adapter works again without reopening', async () => {
  const url = await freshDatabase();
  const w = await PgWarehouse.open({ url, initSqlPath });
  await w.syncCatalog([BUILTIN_V1]);
  try {
    await Promise.all([1, 2, 3].map(() => w.query('SELECT 1')));
    await admin((c) =>
      c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
        new URL(url).pathname.slice(1),
      ]),
    );
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual((await w.query('SELECT 1 AS one')).rows, [[1]]);
    const a = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T10:00:00.000Z', 3, 13);
    assert.equal((await w.loadChunk(await chunkOf(w, 'run-1', [a]))).inserted, a.rows);
  } finally {
    await w.close();
  }
});

test('PostgreSQL: the password never appears in an error message', async () => {
  const secret = 'Tr0ub4dor&3-zz';
  const down = `postgres://pulse:${encodeURIComponent(secret)}@127.0.0.1:1/warehouse`;
  await assert.rejects(PgWarehouse.open({ url: down, initSqlPath }), (e: Failure) => {
    assert.equal(e.code, 'warehouse_failed');
    assert.equal(e.retriable, true);
    assert.match(e.message ?? '', /postgres:\/\/127\.0\.0\.1:1\/warehouse/);
    assert.match(e.message ?? '', /ECONNREFUSED/);
    assert.ok(
      !(e.message ?? '').includes(secret) && !(e.message ?? '').includes(encodeURIComponent(secret)),
      e.message,
    );
    return true;
  });
  const w = await PgWarehouse.open({ url: await freshDatabase(), initSqlPath });
  try {
    await assert.rejects(
      w.query(`SELECT '${SECRET}'::int`),
      (e: Failure) => !(e.message ?? '').includes(SECRET) && /invalid input syntax/.test(e.message ?? ''),
    );
  } finally {
    await w.close();
  }
});
