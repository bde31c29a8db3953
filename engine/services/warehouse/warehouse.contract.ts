import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_CATALOG, catalogVersion, PRODUCTS, STORES } from '../../model/catalog';
import { toCents } from '../../model/sale';
import type { Warehouse } from './port';
import { warehouseCatalogContract } from './warehouseCatalog.contract';
import { chunkOf } from './loadChunk.fixture';

/** The files' lines as the ETL hands them to the warehouse (loadChunk.fixture.ts). */
export { chunkOf };

/** The built-in chain as the first catalog version: what the facts below are enriched with. */
export const BUILTIN_V1 = catalogVersion(BUILTIN_CATALOG, 'built-in', Date.parse('2026-01-01T00:00:00Z'));

/**
 * What the ETL and the query screen rely on from any warehouse adapter. `open` gives a fresh, empty
 * warehouse and a cleanup that closes it and removes its data.
 */
export function warehouseContract(
  label: string,
  open: () => Promise<{ warehouse: Warehouse; cleanup: () => Promise<void> }>,
): void {
  const withWarehouse = (name: string, fn: (w: Warehouse) => Promise<void>): void => {
    test(`${label}: ${name}`, async () => {
      const { warehouse, cleanup } = await open();
      try {
        assert.equal(await warehouse.syncCatalog([BUILTIN_V1]), 1);
        await fn(warehouse);
      } finally {
        await cleanup();
      }
    });
  };

  warehouseCatalogContract(label, open);

  withWarehouse('a chunk becomes fact rows, upserted dims, dim_date days and exact revenue', async (w) => {
    const a = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T23:59:58.250Z', 2, 1);
    const b = silverFile('silver/sales/date=2026-03-08/part-0001.parquet', '2026-03-08T08:30:00.000Z', 3, 2);
    const r = await w.loadChunk(await chunkOf(w, 'run-1', [a, b]));
    assert.deepEqual(r, { inserted: a.rows + b.rows, skipped: 0 });
    const totals = await w.totals();
    assert.equal(totals.factRows, a.rows + b.rows);
    assert.equal(toCents(totals.revenue), a.cents + b.cents);
    assert.deepEqual((await w.loadedFiles()).sort(), [a.key, b.key]);

    // Stores and products come from the catalog version, whether they sold or not.
    const stores = await w.query('SELECT store_id, store_name, city, region FROM dim_store ORDER BY store_id');
    assert.deepEqual(stores.columns, ['store_id', 'store_name', 'city', 'region']);
    assert.deepEqual(
      stores.rows,
      STORES.map((s) => [s.store_id, s.name, s.city, s.region]),
    );
    const products = await w.query('SELECT count(*) AS n FROM dim_product');
    assert.deepEqual(products.rows, [[PRODUCTS.length]]);
    // Each fact points at the dim rows it was enriched with.
    const joined = await w.query(
      `SELECT count(*) FROM fact_sales f JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)
       WHERE s.store_id = f.store_id AND p.product_id = f.product_id AND f.catalog_version = $1`,
      [BUILTIN_V1.version],
    );
    assert.deepEqual(joined.rows, [[a.rows + b.rows]]);
    const customers = await w.query('SELECT count(*) AS n FROM dim_customer');
    assert.deepEqual(customers.rows, [[new Set([...a.lines, ...b.lines].map((l) => l.customer)).size]]);
    // A sale two seconds before midnight UTC belongs to that UTC day; Friday and Saturday are the weekend.
    const days = await w.query(
      'SELECT date_key, full_date, year, quarter, month, day, iso_weekday, is_weekend FROM dim_date ORDER BY date_key',
    );
    assert.deepEqual(days.rows, [
      [20260306, '2026-03-06', 2026, 1, 3, 6, 5, true],
      [20260308, '2026-03-08', 2026, 1, 3, 8, 7, false],
    ]);
    const byDay = await w.query(
      'SELECT date_key, count(*) AS lines FROM fact_sales GROUP BY date_key ORDER BY date_key',
    );
    assert.deepEqual(byDay.rows, [
      [20260306, a.rows],
      [20260308, b.rows],
    ]);
  });

  withWarehouse('loading the same files again inserts nothing: each row exactly once', async (w) => {
    const a = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T10:00:00.000Z', 5, 3);
    const b = silverFile('silver/sales/date=2026-03-06/part-0002.parquet', '2026-03-06T11:00:00.000Z', 2, 4);
    await w.loadChunk(await chunkOf(w, 'run-1', [a, b]));
    const again = await w.loadChunk(await chunkOf(w, 'run-2', [a, b]));
    assert.deepEqual(again, { inserted: 0, skipped: a.rows + b.rows });
    const totals = await w.totals();
    assert.equal(totals.factRows, a.rows + b.rows);
    assert.equal(toCents(totals.revenue), a.cents + b.cents);
  });

  withWarehouse('a chunk mixing a loaded file and a new one loads only the new one', async (w) => {
    const a = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T10:00:00.000Z', 3, 5);
    const b = silverFile('silver/sales/date=2026-03-07/part-0001.parquet', '2026-03-07T10:00:00.000Z', 4, 6);
    await w.loadChunk(await chunkOf(w, 'run-1', [a]));
    const mixed = await w.loadChunk(await chunkOf(w, 'run-2', [a, b]));
    assert.deepEqual(mixed, { inserted: b.rows, skipped: a.rows });
    assert.deepEqual((await w.loadedFiles()).sort(), [a.key, b.key]);
    assert.equal(toCents((await w.totals()).revenue), a.cents + b.cents);
  });

  withWarehouse(
    'a sale line the warehouse holds, in a new file, is loaded once: its file is, the copy is skipped',
    async (w) => {
      // Two stream workers that both accepted one sale write it to two silver files (README, "Duplicates").
      const a = silverFile('silver/sales/date=2026-03-06/0-0-9.parquet', '2026-03-06T10:00:00.000Z', 6, 14);
      const fresh = silverFile('silver/sales/date=2026-03-06/1-0-9.parquet', '2026-03-06T11:00:00.000Z', 5, 15);
      const copies = a.lines.slice(0, 3);
      const b: SilverFile = {
        ...fresh,
        lines: [...copies, ...fresh.lines],
        rows: copies.length + fresh.rows,
        cents: fresh.cents + copies.reduce((s, l) => s + l.quantity * toCents(l.product.price), 0),
      };
      await w.loadChunk(await chunkOf(w, 'run-1', [a]));
      assert.deepEqual(await w.loadChunk(await chunkOf(w, 'run-2', [b])), {
        inserted: fresh.rows,
        skipped: copies.length,
      });
      // Both copies in one chunk of new files: the first one in is kept.
      const c = silverFile('silver/sales/date=2026-03-07/0-10-19.parquet', '2026-03-07T10:00:00.000Z', 4, 16);
      const d: SilverFile = { ...c, key: 'silver/sales/date=2026-03-07/1-10-19.parquet' };
      assert.deepEqual(await w.loadChunk(await chunkOf(w, 'run-3', [c, d])), { inserted: c.rows, skipped: d.rows });
      assert.deepEqual((await w.loadedFiles()).sort(), [a.key, b.key, c.key, d.key].sort());
      const totals = await w.totals();
      assert.equal(totals.factRows, a.rows + fresh.rows + c.rows);
      assert.equal(toCents(totals.revenue), a.cents + fresh.cents + c.cents);
      const lines = await w.query(
        'SELECT source_file, count(*) FROM fact_sales WHERE date_key = 20260307 GROUP BY 1 ORDER BY 1',
      );
      assert.deepEqual(lines.rows, [[c.key, c.rows]]);
    },
  );

  withWarehouse('runs are recorded with their status, counts and error; one run at a time', async (w) => {
    await w.beginRun('etl-1');
    await assert.rejects(
      w.beginRun('etl-1b'),
      (e: { code?: string; message?: string }) => e.code === 'etl_busy' && /already loading/.test(e.message ?? ''),
    );
    assert.equal((await w.runs(5))[0].status, 'running');
    await w.finishRun({ runId: 'etl-1', status: 'succeeded', files: 2, inserted: 7, skipped: 0 });
    await w.beginRun('etl-2');
    await w.finishRun({
      runId: 'etl-2',
      status: 'failed',
      files: 0,
      inserted: 0,
      skipped: 0,
      error: 'cannot read silver/sales: lake unreachable',
    });
    const runs = await w.runs(10);
    assert.deepEqual(
      runs.map((r) => [r.run_id, r.status, r.files_loaded, r.rows_inserted, r.rows_skipped, r.error]),
      [
        ['etl-2', 'failed', 0, 0, 0, 'cannot read silver/sales: lake unreachable'],
        ['etl-1', 'succeeded', 2, 7, 0, null],
      ],
    );
    for (const r of runs) {
      assert.match(r.started_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
      assert.equal(typeof r.finished_at, 'string');
    }
    assert.equal((await w.runs(1)).length, 1);
  });

  withWarehouse('the files each run loaded and the time of the newest load come back from the manifest', async (w) => {
    assert.equal(await w.newestLoad(), null);
    const a = silverFile('silver/sales/date=2026-03-06/part-0002.parquet', '2026-03-06T10:00:00.000Z', 2, 3);
    const b = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T11:00:00.000Z', 4, 4);
    const before = Date.now();
    await w.loadChunk(await chunkOf(w, 'run-files', [a, b]));
    assert.deepEqual(await w.runFiles('run-files', 10), [
      { key: b.key, rows: b.rows },
      { key: a.key, rows: a.rows },
    ]);
    assert.equal((await w.runFiles('run-files', 1)).length, 1);
    assert.deepEqual(await w.runFiles("x' OR 1=1 --", 10), []);
    const at = await w.newestLoad();
    assert.ok(at !== null && at >= before - 5_000 && at <= Date.now() + 5_000, `newest load at ${at}`);
  });

  withWarehouse('query returns typed rows, decoded the same on every adapter', async (w) => {
    const a = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T10:15:00.123Z', 3, 7);
    await w.loadChunk(await chunkOf(w, 'run-1', [a]));
    const r = await w.query(
      `SELECT count(*) AS lines, sum(line_amount) AS revenue, min(event_time) AS first_sale, min(d.full_date) AS first_day,
         array_agg(DISTINCT f.store_id ORDER BY f.store_id) AS stores
       FROM fact_sales f JOIN dim_date d USING (date_key) WHERE f.quantity >= $1`,
      [1],
    );
    assert.deepEqual(r.columns, ['lines', 'revenue', 'first_sale', 'first_day', 'stores']);
    const stores = [...new Set(a.lines.map((l) => l.store.store_id))].sort((x, y) => x - y);
    assert.deepEqual(r.rows, [[a.rows, (a.cents / 100).toFixed(2), '2026-03-06T10:15:00.123Z', '2026-03-06', stores]]);

    const literals = await w.query(
      `SELECT 9007199254740993::int8 AS big, 42::int8 AS small, 1.50::numeric(12,2) AS price, 0.5::float8 AS half, true AS flag,
         NULL::text AS nothing, '{"a":[1,2]}'::jsonb AS doc, '1 day 02:00:00'::interval AS span, '2026-03-06 10:00'::timestamp AS local_time,
         ARRAY['x', NULL, 'y z'] AS words, ARRAY[1.10, 2]::numeric[] AS amounts, $1::text AS param`,
      ['Ø€'],
    );
    assert.deepEqual(literals.rows, [
      [
        '9007199254740993',
        42,
        '1.50',
        0.5,
        true,
        null,
        { a: [1, 2] },
        '1 day 02:00:00',
        '2026-03-06T10:00:00',
        ['x', null, 'y z'],
        ['1.10', '2'],
        'Ø€',
      ],
    ]);
    // Everything in a result crosses postMessage and JSON unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(literals)), literals);
  });

  withWarehouse('query refuses writes and leaves nothing behind', async (w) => {
    const a = silverFile('silver/sales/date=2026-03-06/part-0001.parquet', '2026-03-06T10:00:00.000Z', 2, 8);
    await w.loadChunk(await chunkOf(w, 'run-1', [a]));
    await assert.rejects(
      w.query(`INSERT INTO dim_store (store_id, store_name, city, region) VALUES (99, 'Fake', 'Nowhere', 'None')`),
      (e: { code?: string; field?: string; message?: string }) =>
        e.code === 'config_invalid' && e.field === 'sql' && /^INSERT is not allowed/.test(e.message ?? ''),
    );
    await assert.rejects(w.query('DELETE FROM fact_sales'), /DELETE is not allowed/);
    await assert.rejects(w.query('COMMIT; DELETE FROM fact_sales'), /2 statements \(COMMIT; DELETE\)/);
    await assert.rejects(w.query(`SET search_path TO nowhere`), /SET search_path is not allowed/);
    // The editor runs as the reader: the star schema only, not the ETL's own tables.
    await assert.rejects(
      w.query('SELECT count(*) FROM load_manifest'),
      (e: { code?: string; message?: string }) =>
        e.code === 'warehouse_failed' && /permission denied for table load_manifest/.test(e.message ?? ''),
    );
    assert.deepEqual((await w.query('SELECT current_user AS who')).rows, [['retail_pulse_reader']]);
    assert.deepEqual((await w.query('SELECT count(*) FROM fact_sales')).rows, [[a.rows]]);
    assert.deepEqual((await w.query('SELECT count(*) FROM dim_store WHERE store_id = 99')).rows, [[0]]);
    // Nothing the editor ran changed the writer's session: loading still finds its tables.
    const b = silverFile('silver/sales/date=2026-03-07/part-0001.parquet', '2026-03-07T10:00:00.000Z', 2, 9);
    assert.equal((await w.loadChunk(await chunkOf(w, 'run-1', [b]))).inserted, b.rows);
  });

  withWarehouse('bad SQL fails with PostgreSQL’s message', async (w) => {
    await assert.rejects(
      w.query('SELECT nope FROM fact_sales'),
      (e: { code?: string; message?: string }) =>
        e.code === 'warehouse_failed' && /column "nope" does not exist/.test(e.message ?? ''),
    );
    await assert.rejects(w.query('SELEC 1'), /syntax error at or near "SELEC"/);
    await assert.rejects(w.query('SELECT $1::int', ['twelve']), /invalid input syntax for type integer/);
    assert.deepEqual((await w.query('SELECT 1 AS one')).rows, [[1]]);
  });
}

interface Line {
  txn: string;
  lineNo: number;
  time: string;
  store: (typeof STORES)[number];
  customer: string;
  product: { product_id: number; name: string; category: string; price: number };
  quantity: number;
}

export interface SilverFile {
  key: string;
  rows: number;
  cents: number;
  lines: Line[];
  /** The catalog version its lines were enriched with. */
  version: string;
}

/** A silver file's lines: `transactions` sales from `start`, a second apart, 1–3 lines each, catalog prices. */
export function silverFile(
  key: string,
  start: string,
  transactions: number,
  seed: number,
  catalog: { version: string; stores: typeof STORES; products: typeof PRODUCTS } = BUILTIN_V1,
): SilverFile {
  const lines: Line[] = [];
  const t0 = Date.parse(start);
  for (let t = 0; t < transactions; t++) {
    const n = seed * 7919 + t * 104729;
    const txn = `txn-${seed}-${t}-${(n % 65536).toString(16)}`;
    const store = catalog.stores[n % catalog.stores.length];
    const customer = `CUST-${1000 + (n % 37)}`;
    const time = new Date(t0 + t * 1000).toISOString();
    for (let l = 0; l < 1 + (n % 3); l++) {
      lines.push({
        txn,
        lineNo: l + 1,
        time,
        store,
        customer,
        product: priced(catalog.products[(n + l * 11) % catalog.products.length]),
        quantity: 1 + ((n + l) % 4),
      });
    }
  }
  const cents = lines.reduce((s, l) => s + l.quantity * toCents(l.product.price), 0);
  return { key, rows: lines.length, cents, lines, version: catalog.version };
}

function priced(p: (typeof PRODUCTS)[number]): Line['product'] {
  return { product_id: p.product_id, name: p.name, category: p.category, price: p.price ?? 10 };
}
