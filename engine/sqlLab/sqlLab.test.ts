import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkCall } from '../commandCheck';
import { resolveConfig } from '../config';
import type { SqlLabPart } from '../contract';
import { Host } from '../host';
import { tmpDirs } from '../testing/tmpDirs';
import { sqlLabDir } from './sqlLab';

/*
 * The SQL lab through the contract, on the embedded warehouse (PGlite, the editor's reader on a
 * snapshot): the schema the reader may read, the editor's history, saved queries and the
 * Dashboard's pins, kept in the data dir across a restart; refusals name their field.
 */

const tmp = tmpDirs('rp-sqllab-');
const dataDir = tmp();
let host: Host;
const changes: SqlLabPart[] = [];
const FACT_COLUMNS = [
  'transaction_id',
  'line_no',
  'date_key',
  'store_id',
  'product_id',
  'customer_id',
  'event_time',
  'quantity',
  'unit_price',
  'line_amount',
  'source_file',
  'store_key',
  'product_key',
  'catalog_version',
];
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
const TOP =
  'SELECT product_name, sum(quantity) AS units FROM fact_sales JOIN dim_product USING (product_key) GROUP BY 1';
const CHART = { type: 'bar' as const, x: 'product_name', y: ['units'] };

async function open(): Promise<Host> {
  const h = await Host.open(resolveConfig({ dataDir }));
  h.on('sqlLab.changed', (e) => changes.push(e.part));
  return h;
}

/** The history once the run a call started has been written (it is kept when the query ends). */
async function historyAfter(n: number) {
  for (let i = 0; i < 100; i++) {
    const list = await host.call('sqlLab.history', {});
    if (list.items.length >= n) return list;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the history never reached ${n} entries`);
}

before(async () => {
  host = await open();
});
after(async () => {
  await host.close();
});

describe('SQL lab on the embedded warehouse', { timeout: 120_000 }, () => {
  it("lists the star schema the reader may read, columns in order with their types, and not the ETL's own tables", async () => {
    const schema = await host.call('warehouse.schema', {});
    const names = schema.tables.map((t) => t.name);
    assert.deepEqual(names, STAR_SCHEMA);
    assert.ok(!names.includes('load_manifest') && !names.includes('etl_runs'));
    const fact = schema.tables.find((t) => t.name === 'fact_sales')!;
    assert.equal(fact.kind, 'table');
    assert.deepEqual(
      fact.columns.map((c) => c.name),
      FACT_COLUMNS,
    );
    assert.equal(fact.columns.find((c) => c.name === 'line_amount')!.type, 'numeric(12,2)');
    assert.equal(fact.columns.find((c) => c.name === 'event_time')!.type, 'timestamp with time zone');
    // What it lists can be read, and what it leaves out cannot.
    await host.call('warehouse.query', { sql: `SELECT ${FACT_COLUMNS.join(', ')} FROM fact_sales` });
    await assert.rejects(host.call('warehouse.query', { sql: 'SELECT * FROM load_manifest' }), /permission denied/);
  });

  it("keeps the editor's runs with their outcome, newest first; later pages and other queries are not runs", async () => {
    await host.call('warehouse.query', { sql: 'SELECT n FROM generate_series(1, 1500) n', history: true, limit: 1000 });
    await historyAfter(1);
    await host.call('warehouse.query', {
      sql: 'SELECT n FROM generate_series(1, 1500) n',
      history: true,
      offset: 1000,
    });
    await host.call('warehouse.query', { sql: 'SELECT 42 AS preset' });
    await assert.rejects(host.call('warehouse.query', { sql: 'SELECT nope FROM fact_sales', history: true }));
    await assert.rejects(host.call('warehouse.query', { sql: 'DROP TABLE fact_sales', history: true }));
    const { items, problem } = await historyAfter(3);
    assert.equal(problem, null);
    assert.equal(items.length, 3);
    assert.deepEqual(
      items.map((e) => [e.outcome, e.rows, e.more]),
      [
        ['failed', null, false],
        ['failed', null, false],
        ['ok', 1000, true],
      ],
    );
    assert.match(items[0].error!, /DROP TABLE is not allowed/);
    assert.match(items[1].error!, /column "nope" does not exist/);
    assert.ok(items[0].at >= items[1].at && items[1].at >= items[2].at);
    assert.ok(changes.includes('history'));
    assert.equal((await host.call('sqlLab.history', { limit: 1 })).items.length, 1);
    await assert.rejects(host.call('sqlLab.history', { limit: 0 }), { field: 'limit' });
    const forgotten = await host.call('sqlLab.forget', { id: items[0].id });
    assert.deepEqual(
      forgotten.items.map((e) => e.id),
      [items[1].id, items[2].id],
    );
    await assert.rejects(host.call('sqlLab.forget', { id: items[0].id }), { code: 'not_found', field: 'id' });
  });

  it('saves queries by name (saving a name again replaces its SQL), deletes them, and refuses a blank name', async () => {
    await host.call('sqlLab.save', { name: 'Units by product', sql: 'SELECT 1' });
    await host.call('sqlLab.save', { name: ' Units by product ', sql: TOP });
    const { items } = await host.call('sqlLab.save', { name: 'another', sql: 'SELECT 2' });
    assert.deepEqual(
      items.map((s) => [s.name, s.sql]),
      [
        ['another', 'SELECT 2'],
        ['Units by product', TOP],
      ],
    );
    await assert.rejects(host.call('sqlLab.save', { name: '   ', sql: 'SELECT 1' }), {
      code: 'config_invalid',
      field: 'name',
    });
    await assert.rejects(host.call('sqlLab.save', { name: 'x'.repeat(101), sql: 'SELECT 1' }), { field: 'name' });
    await assert.rejects(host.call('sqlLab.save', { name: 'empty', sql: ' ' }), { field: 'sql' });
    const left = await host.call('sqlLab.delete', { id: items[0].id });
    assert.deepEqual(
      left.items.map((s) => s.name),
      ['Units by product'],
    );
  });

  it("pins a chart whose query runs and returns the chart's columns; refuses others with the field named", async () => {
    const pin = { title: 'Units by product', sql: TOP, chart: CHART, refreshSeconds: 60 };
    await assert.rejects(host.call('dashboard.pin', { ...pin, chart: { ...CHART, y: ['revenue'] } }), {
      code: 'config_invalid',
      field: 'chart',
      message: /revenue is not in the query's result \(product_name, units\)/,
    });
    await assert.rejects(host.call('dashboard.pin', { ...pin, sql: 'DELETE FROM fact_sales' }), { field: 'sql' });
    await assert.rejects(host.call('dashboard.pin', { ...pin, refreshSeconds: 5 }), { field: 'refreshSeconds' });
    await assert.rejects(host.call('dashboard.pin', { ...pin, chart: { type: 'pie', x: 'a', y: ['b'] } as never }), {
      field: 'chart',
    });
    assert.deepEqual((await host.call('dashboard.pins', {})).items, [], 'nothing refused was kept');
    const { items } = await host.call('dashboard.pin', { ...pin, money: ['units', 'not_a_column'] });
    assert.equal(items.length, 1);
    assert.deepEqual(items[0].money, ['units']);
    const updated = await host.call('dashboard.update', { id: items[0].id, refreshSeconds: 300 });
    assert.equal(updated.items[0].refreshSeconds, 300);
    await assert.rejects(host.call('dashboard.update', { id: 'nope', refreshSeconds: 300 }), { code: 'not_found' });
    assert.ok(changes.includes('pins') && changes.includes('saved'));
  });

  it('refuses requests of the wrong shape before they reach the Host', () => {
    assert.throws(() => checkCall('dashboard.pin', { title: 't', sql: 'SELECT 1', chart: 'bar', refreshSeconds: 60 }), {
      field: 'chart',
    });
    assert.throws(() => checkCall('sqlLab.save', { name: 'n', sql: 'SELECT 1', extra: 1 }), { field: 'extra' });
    assert.throws(() => checkCall('warehouse.query', { sql: 'SELECT 1', history: 'yes' }), { field: 'history' });
  });

  it('keeps history, saved queries and pins across a restart', async () => {
    const before = {
      history: (await host.call('sqlLab.history', {})).items,
      saved: (await host.call('sqlLab.saved', {})).items,
      pins: (await host.call('dashboard.pins', {})).items,
    };
    await host.close();
    host = await open();
    assert.deepEqual((await host.call('sqlLab.history', {})).items, before.history);
    assert.deepEqual((await host.call('sqlLab.saved', {})).items, before.saved);
    assert.deepEqual((await host.call('dashboard.pins', {})).items, before.pins);
    const [pinned] = before.pins;
    await host.call('dashboard.unpin', { id: pinned.id });
    assert.deepEqual((await host.call('dashboard.pins', {})).items, []);
  });

  it('a file it cannot read is kept aside, said, and never overwritten', async () => {
    await host.close();
    const file = path.join(sqlLabDir(dataDir), 'saved.json');
    fs.writeFileSync(file, '{"version": 1, "items": [{"id": "a", "name": "half');
    host = await open();
    const list = await host.call('sqlLab.saved', {});
    assert.deepEqual(list.items, []);
    assert.match(list.problem!, /saved queries in .*saved\.json could not be read .*kept as .*unreadable-/);
    const kept = fs.readdirSync(sqlLabDir(dataDir)).find((f) => f.startsWith('saved.json.unreadable-'))!;
    assert.equal(
      fs.readFileSync(path.join(sqlLabDir(dataDir), kept), 'utf8'),
      '{"version": 1, "items": [{"id": "a", "name": "half',
    );
    await host.call('sqlLab.save', { name: 'fresh', sql: 'SELECT 1' });
    assert.deepEqual(
      JSON.parse(fs.readFileSync(file, 'utf8')).items.map((s: { name: string }) => s.name),
      ['fresh'],
    );
  });
});
