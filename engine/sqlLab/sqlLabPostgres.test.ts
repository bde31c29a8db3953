import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { resolveConfig } from '../config';
import { Host } from '../host';
import { testService } from '../testing/realServices';
import { tmpDirs } from '../testing/tmpDirs';

/*
 * The SQL lab on a real PostgreSQL: the schema comes from information_schema as the reader login,
 * so it lists exactly what that login may SELECT, down to a single granted column; history and
 * pins run through the same editor path.
 */

/** The star schema with its type 2 history: the catalog versions and each store's and product's latest row. */
const STAR_SCHEMA = [
  'catalog_versions',
  'dim_customer',
  'dim_date',
  'dim_product',
  'dim_store',
  'fact_sales',
  'product_latest',
  'store_latest',
];
const tmp = tmpDirs('rp-sqllab-pg-');
const serverUrl = testService('postgres');
const database = `rp_sqllab_${randomBytes(5).toString('hex')}`;

async function admin(sql: string, db?: string): Promise<void> {
  const u = new URL(serverUrl);
  if (db) u.pathname = `/${db}`;
  const c = new pg.Client({ connectionString: u.href });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}
after(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

test(
  'PostgreSQL: the schema lists what the reader may read, and nothing it may not',
  { timeout: 120_000 },
  async () => {
    await admin(`CREATE DATABASE ${database}`);
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    const host = await Host.open(resolveConfig({ dataDir: tmp(), postgres: url.href }));
    let open = true;
    try {
      const names = async () => (await host.call('warehouse.schema', {})).tables.map((t) => t.name);
      assert.deepEqual(await names(), STAR_SCHEMA);

      // A table of the writer's that the reader was never granted is not offered; one granted column is, alone.
      await admin(
        'CREATE TABLE staff_notes (note_id integer, body text); CREATE VIEW gold_cities AS SELECT DISTINCT city FROM dim_store',
        database,
      );
      await admin('GRANT SELECT (note_id) ON staff_notes TO retail_pulse_reader', database);
      const schema = await host.call('warehouse.schema', {});
      assert.deepEqual(
        schema.tables.map((t) => t.name),
        [...STAR_SCHEMA, 'staff_notes'].sort(),
        'load_manifest, etl_runs and the ungranted view are left out',
      );
      assert.deepEqual(schema.tables.find((t) => t.name === 'staff_notes')!.columns, [
        { name: 'note_id', type: 'integer' },
      ]);
      assert.equal(
        schema.tables.find((t) => t.name === 'fact_sales')!.columns.find((c) => c.name === 'unit_price')!.type,
        'numeric(12,2)',
      );
      // The lists say the truth: what is offered runs, what is not is refused by the server.
      await host.call('warehouse.query', { sql: 'SELECT note_id FROM staff_notes' });
      await assert.rejects(host.call('warehouse.query', { sql: 'SELECT body FROM staff_notes' }), /permission denied/);
      await assert.rejects(host.call('warehouse.query', { sql: 'SELECT * FROM gold_cities' }), /permission denied/);

      // A view gets its grant at the next start (init.sql grants dim_/fact_/gold_ on every start).
      await host.close();
      open = false;
      const again = await Host.open(resolveConfig({ dataDir: tmp(), postgres: url.href }));
      try {
        const views = (await again.call('warehouse.schema', {})).tables.filter((t) => t.kind === 'view');
        assert.deepEqual(
          views.map((v) => v.name),
          ['gold_cities', 'product_latest', 'store_latest'],
        );
        assert.deepEqual(
          views.find((v) => v.name === 'gold_cities'),
          { schema: 'public', name: 'gold_cities', kind: 'view', columns: [{ name: 'city', type: 'text' }] },
        );
        const { items } = await again.call('dashboard.pin', {
          title: 'Cities',
          sql: 'SELECT city, count(*) AS stores FROM dim_store GROUP BY city',
          chart: { type: 'bar', x: 'city', y: ['stores'] },
          refreshSeconds: 30,
        });
        assert.equal(items.length, 1);
        await again.call('warehouse.query', { sql: 'SELECT count(*) FROM fact_sales', history: true });
        for (let i = 0; i < 100 && (await again.call('sqlLab.history', {})).items.length === 0; i++)
          await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual(
          (await again.call('sqlLab.history', {})).items.map((e) => [e.outcome, e.rows]),
          [['ok', 1]],
        );
      } finally {
        await again.close();
      }
    } finally {
      if (open) await host.close();
    }
  },
);
