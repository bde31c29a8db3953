import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_CATALOG, catalogVersion, type CatalogData } from '../../model/catalog';
import type { Warehouse } from './port';
import { BUILTIN_V1, chunkOf, silverFile } from './warehouse.contract';

/** The chain a day later: store 3 renamed, store 12 closed, store 13 opened, product 101 re-categorised. */
const RENAMED: CatalogData = {
  stores: [
    ...BUILTIN_CATALOG.stores
      .filter((s) => s.store_id !== 12)
      .map((s) => (s.store_id === 3 ? { ...s, name: 'Alexandria San Stefano' } : s)),
    { store_id: 13, name: 'New Cairo Mall', city: 'Cairo', region: 'Greater Cairo' },
  ],
  products: BUILTIN_CATALOG.products.map((p) => (p.product_id === 101 ? { ...p, category: 'Groceries' } : p)),
};
const V2 = catalogVersion(RENAMED, 'renamed.json', Date.parse('2026-03-07T09:00:00Z'));

/** Catalog versions as type 2 dimensions, on any warehouse adapter. */
export function warehouseCatalogContract(
  label: string,
  open: () => Promise<{ warehouse: Warehouse; cleanup: () => Promise<void> }>,
): void {
  test(`${label}: catalog versions keep history, and facts keep the names they were enriched with`, async () => {
    const { warehouse: w, cleanup } = await open();
    try {
      assert.equal(await w.syncCatalog([BUILTIN_V1]), 1);
      const monday = silverFile('silver/x/date=2026-03-06/0-0-9.parquet', '2026-03-06T10:00:00Z', 40, 3, BUILTIN_V1);
      await w.loadChunk(await chunkOf(w, 'run-1', [monday]));
      assert.equal(await w.syncCatalog([BUILTIN_V1, V2]), 1, 'only the new version is applied');
      assert.equal(await w.syncCatalog([BUILTIN_V1, V2]), 0, 'a second sync changes nothing');
      const tuesday = silverFile('silver/x/date=2026-03-08/0-10-19.parquet', '2026-03-08T10:00:00Z', 40, 4, {
        version: V2.version,
        stores: RENAMED.stores,
        products: RENAMED.products,
      });
      await w.loadChunk(await chunkOf(w, 'run-2', [tuesday]));

      const store3 = await w.query(
        `SELECT store_name, valid_from, valid_to, is_current, catalog_version FROM dim_store WHERE store_id = 3 ORDER BY valid_from`,
      );
      assert.deepEqual(store3.rows, [
        ['Alexandria Corniche', '-infinity', '2026-03-07T09:00:00Z', false, BUILTIN_V1.version],
        ['Alexandria San Stefano', '2026-03-07T09:00:00Z', 'infinity', true, V2.version],
      ]);
      const closedAndOpened = await w.query(
        `SELECT store_id, is_current FROM dim_store WHERE store_id IN (12, 13) ORDER BY store_id`,
      );
      assert.deepEqual(closedAndOpened.rows, [
        [12, false],
        [13, true],
      ]);
      // Facts carry the name of their catalog version: Monday's the old one, Tuesday's the new one.
      const byDay = await w.query(
        `SELECT f.date_key, s.store_name, count(*) FROM fact_sales f JOIN dim_store s USING (store_key)
         WHERE f.store_id = 3 GROUP BY 1, 2 ORDER BY 1`,
      );
      const lines = (f: typeof monday) => f.lines.filter((l) => l.store.store_id === 3).length;
      assert.ok(lines(monday) > 0 && lines(tuesday) > 0, 'both days sold at store 3');
      assert.deepEqual(byDay.rows, [
        [20260306, 'Alexandria Corniche', lines(monday)],
        [20260308, 'Alexandria San Stefano', lines(tuesday)],
      ]);
      // "By store" groups by the store, under its latest name: the rename does not split it.
      const latest = await w.query(
        `SELECT s.store_name, count(*) FROM fact_sales f JOIN store_latest s USING (store_id) WHERE f.store_id = 3 GROUP BY 1`,
      );
      assert.deepEqual(latest.rows, [['Alexandria San Stefano', lines(monday) + lines(tuesday)]]);
      const bread = await w.query(
        `SELECT p.category, count(*) > 0 FROM fact_sales f JOIN dim_product p USING (product_key) WHERE f.product_id = 101 GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(
        bread.rows.map((r) => r[0]),
        ['Bakery', 'Groceries'].filter((c) =>
          (c === 'Bakery' ? monday : tuesday).lines.some((l) => l.product.product_id === 101),
        ),
      );

      // A version from before the newest cannot be slotted into the history.
      const older = catalogVersion(RENAMED, 'late.json', Date.parse('2026-02-01T00:00:00Z'));
      await assert.rejects(w.syncCatalog([BUILTIN_V1, V2, older]), /came into force before/);
      // The keys the ETL resolves lines with: each version's own rows (store 3 renamed, 12 closed, 13 opened).
      const keys = await w.dimKeys();
      assert.deepEqual(keys.versions, [BUILTIN_V1.version, V2.version]);
      const storeKey = (version: string, id: number) =>
        keys.stores.key.find((_, i) => keys.stores.version[i] === version && keys.stores.id[i] === id);
      const rows = await w.query(`SELECT store_id, store_key::int, catalog_version FROM dim_store ORDER BY store_key`);
      const keyOf = (id: number, version: string) =>
        rows.rows.find((r) => r[0] === id && r[2] === version)?.[1] as number | undefined;
      assert.equal(storeKey(BUILTIN_V1.version, 3), keyOf(3, BUILTIN_V1.version));
      assert.equal(storeKey(V2.version, 3), keyOf(3, V2.version));
      assert.equal(storeKey(V2.version, 1), keyOf(1, BUILTIN_V1.version), 'an unchanged store keeps its row');
      assert.equal(storeKey(BUILTIN_V1.version, 13), undefined);
      assert.equal(storeKey(V2.version, 12), undefined);
      assert.equal(
        keys.stores.id.filter((_, i) => keys.stores.version[i] === V2.version).length,
        RENAMED.stores.length,
      );
      assert.equal(keys.products.version.length, BUILTIN_CATALOG.products.length * 2);
      assert.equal((await w.totals()).factRows, monday.rows + tuesday.rows);
    } finally {
      await cleanup();
    }
  });
}
