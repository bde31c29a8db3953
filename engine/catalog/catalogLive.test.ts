import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig } from '../config';
import { Host } from '../host';
import { assertReconciles } from '../pipeline/pipelineHarness';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-catalog-live-');

/** A chain of its own: 4 stores, 6 products, categories the built-in chain does not have, no prices. */
const CHAIN = {
  stores: [
    { store_id: 1, name: 'Cairo Festival City', city: 'Cairo', region: 'New Cairo' },
    { store_id: 2, name: 'Mall of Arabia', city: 'Giza', region: '6th of October' },
    { store_id: 3, name: 'City Stars', city: 'Cairo', region: 'Nasr City' },
    { store_id: 4, name: 'San Stefano Grand Plaza', city: 'Alexandria', region: 'Alexandria' },
  ],
  products: [
    { product_id: 101, name: 'Juhayna Milk 1L', category: 'Dairy' },
    { product_id: 102, name: 'Domty Feta 500g', category: 'Dairy', price: 64.5 },
    { product_id: 107, name: 'Abu Auf Coffee', category: 'Pantry' },
    { product_id: 110, name: 'El-Shams Rice 1kg', category: 'Pantry', price: 41 },
    { product_id: 113, name: 'Farm Frites Fries', category: 'Frozen' },
    { product_id: 114, name: 'Halwani Burger', category: 'Frozen', price: 210 },
  ],
};
/** The next day: store 3 renamed, store 5 opened. */
const NEXT = {
  ...CHAIN,
  stores: [
    ...CHAIN.stores.map((s) => (s.store_id === 3 ? { ...s, name: 'City Stars Heliopolis' } : s)),
    { store_id: 5, name: 'Point 90', city: 'Cairo', region: 'New Cairo' },
  ],
};

const rows = async (host: Host, sql: string) => (await host.call('lake.query', { sql, limit: 1000 })).rows;

describe('the catalog in force, changed while the pipeline runs', { timeout: 300_000 }, () => {
  it('enriches with the chain given at start, applies a rename to the running stream, and keeps history in the warehouse', async () => {
    const dir = tmp();
    const file = path.join(dir, 'chain.json');
    fs.writeFileSync(file, JSON.stringify(CHAIN));
    const host = await Host.open(resolveConfig({ dataDir: path.join(dir, 'data'), catalog: file }));
    const changes: string[] = [];
    host.on('catalog.changed', (v) => changes.push(v.version));
    try {
      const first = await host.call('catalog.get', {});
      assert.deepEqual([first.source, first.stores, first.products, first.history.length], [file, 4, 6, 1]);
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'data', 'catalog.json'), 'utf8')).version, first.version);

      await host.startStream();
      await host.startProducer({ rate: 3000, seed: 5, limit: 3000 });
      await host.producerDone();
      await host.drainStream();

      // A wrong catalog is refused, the running one stays.
      await assert.rejects(
        host.call('catalog.apply', {
          files: [{ name: 'next.json', text: JSON.stringify({ ...NEXT, products: [{ product_id: 1, name: '' }] }) }],
        }),
        { code: 'config_invalid', message: /next\.json item 1, field name: missing/ },
      );
      assert.equal((await host.call('catalog.get', {})).version, first.version);

      // The rename reaches the running stream and producer without a restart.
      const preview = await host.call('catalog.preview', {
        files: [{ name: 'next.json', text: JSON.stringify(NEXT) }],
      });
      assert.deepEqual(preview.changes, {
        added: ['store 5: Point 90'],
        changed: ['store 3: name City Stars → City Stars Heliopolis'],
        removed: [],
      });
      const next = await host.call('catalog.apply', { files: [{ name: 'next.json', text: JSON.stringify(NEXT) }] });
      assert.notEqual(next.version, first.version);
      assert.equal(changes.at(-1), next.version, 'catalog.changed tells the UI');
      assert.deepEqual(
        next.history.map((h) => h.version),
        [next.version, first.version],
      );
      await host.startProducer({ rate: 3000, seed: 6, limit: 3000 });
      await host.producerDone();
      await host.drainStream();
      await host.stopStream();

      // Silver: each row records its catalog version and carries that version's names.
      const silver = await rows(
        host,
        `SELECT catalog_version, store_name, count(DISTINCT transaction_id) FROM silver WHERE store_id = 3 GROUP BY ALL ORDER BY 1`,
      );
      assert.equal(silver.length, 2);
      assert.deepEqual(
        silver.map((r) => [r[0], r[1]]),
        [
          [first.version, 'City Stars'],
          [next.version, 'City Stars Heliopolis'],
        ],
      );
      const opened = await rows(host, `SELECT DISTINCT catalog_version FROM silver WHERE store_id = 5`);
      assert.deepEqual(opened, [[next.version]], 'the producer sells at the new store only after the change');
      const categories = await rows(host, `SELECT DISTINCT category FROM silver ORDER BY 1`);
      assert.deepEqual(categories, [['Dairy'], ['Frozen'], ['Pantry']]);

      const etl = await host.runEtl();
      assert.equal(etl.status, 'succeeded', etl.error);
      // The warehouse: facts before the rename carry the old name, facts after it the new one.
      const facts = await host.call('warehouse.query', {
        sql: `SELECT f.catalog_version, s.store_name, count(DISTINCT f.transaction_id)::int FROM fact_sales f
              JOIN dim_store s USING (store_key) WHERE f.store_id = 3 GROUP BY 1, 2 ORDER BY 1`,
      });
      assert.deepEqual(facts.rows, silver);
      // The presets still group by store: store 3 is one row, under its latest name.
      const basket = (await host.call('warehouse.presets', {})).find((p) => p.id === 'basket_size')!;
      const byStore = await host.call('warehouse.query', { sql: basket.sql });
      const names = byStore.rows.map((r) => r[0]);
      assert.equal(names.filter((n) => String(n).startsWith('City Stars')).length, 1);
      assert.ok(names.includes('City Stars Heliopolis') && names.includes('Point 90'));
      const baskets = byStore.rows.find((r) => r[0] === 'City Stars Heliopolis')![1];
      assert.equal(baskets, Number(silver[0][2]) + Number(silver[1][2]));
      for (const p of await host.call('warehouse.presets', {}))
        assert.ok((await host.call('warehouse.query', { sql: p.sql })).rows.length > 0, `preset ${p.id} answers`);

      assertReconciles(await host.summary());
    } finally {
      await host.close();
    }
  });

  it('refuses to start with a wrong --catalog, naming file, row and field', async () => {
    const dir = tmp();
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ ...CHAIN, stores: [...CHAIN.stores, CHAIN.stores[1]] }));
    await assert.rejects(Host.open(resolveConfig({ dataDir: path.join(dir, 'data'), catalog: file })), {
      code: 'config_invalid',
      field: 'catalog',
      message: /bad\.json item 5, field store_id: duplicate store_id 2 \(first at item 2\)/,
    });
    assert.ok(!fs.existsSync(path.join(dir, 'data', 'catalog.json')), 'nothing was applied');
  });
});
