import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Commands } from './contract';
import { resolveConfig } from './config';
import { Host } from './host';
import { parsePreset, readPresets } from './presets';
import { tmpDirs } from './testing/tmpDirs';

/*
 * What the Warehouse and ETL pages rely on from the Host, against a real PGlite: result
 * pages instead of whole tables, presets whose declared charts name columns their SQL returns,
 * and a schedule that refuses 0 minutes instead of quietly turning itself off.
 */

const tmp = tmpDirs('rp-wq-');
let host: Host;
const queryPage = (q: Commands['warehouse.query']['req']) => host.call('warehouse.query', q);
const setSchedule = (everyMinutes: number | null) => host.call('etl.schedule', { everyMinutes });

before(async () => {
  host = await Host.open(resolveConfig({ dataDir: tmp() }));
});
after(async () => {
  await host.close();
});

describe('warehouse result pages', () => {
  const numbers = 'SELECT n, n * 2 AS twice FROM generate_series(1, 2500) AS n ORDER BY n';

  it('a large result comes a page at a time, saying whether more rows follow', async () => {
    const first = await queryPage({ sql: numbers });
    assert.equal(first.rows.length, 1000);
    assert.equal(first.more, true);
    assert.deepEqual(first.rows[0], [1, 2]);
    const last = await queryPage({ sql: numbers, offset: 2000 });
    assert.equal(last.rows.length, 500);
    assert.equal(last.more, false);
    assert.deepEqual(last.rows.at(-1), [2500, 5000]);
    assert.equal((await queryPage({ sql: numbers, limit: 2500 })).more, false);
  });

  it('keeps working with a trailing semicolon, a trailing comment and leading comments', async () => {
    const r = await queryPage({ sql: `-- mine\n/* a note */ ${numbers}; -- the end`, limit: 10 });
    assert.equal(r.rows.length, 10);
    assert.equal(r.more, true);
  });

  it('runs a statement that is not a query as written, cut to the page', async () => {
    const r = await queryPage({ sql: 'EXPLAIN SELECT * FROM fact_sales', limit: 1 });
    assert.equal(r.rows.length, 1);
    assert.equal(r.columns[0], 'QUERY PLAN');
  });

  it('refuses a page size outside 1..10,000 and a negative offset, naming the field', async () => {
    await assert.rejects(queryPage({ sql: numbers, limit: 0 }), { code: 'config_invalid', field: 'limit' });
    await assert.rejects(queryPage({ sql: numbers, limit: 20_000 }), { field: 'limit' });
    await assert.rejects(queryPage({ sql: numbers, offset: -1 }), { field: 'offset' });
  });

  it('two statements are still refused, not run one after the other', async () => {
    await assert.rejects(queryPage({ sql: 'SELECT 1; DROP TABLE fact_sales' }));
    assert.ok((await queryPage({ sql: 'SELECT count(*) FROM fact_sales' })).rows.length === 1);
  });
});

describe('presets', () => {
  it('every shipped preset declares a chart whose x and y are columns its SQL returns', async () => {
    const presets = readPresets();
    assert.ok(presets.length >= 7);
    for (const p of presets) {
      assert.ok(p.chart, `${p.id} declares a chart`);
      assert.ok(!p.sql.startsWith('-- chart'), `${p.id}: the header is not part of the SQL`);
      const { columns } = await queryPage({ sql: p.sql, limit: 1 });
      for (const c of [p.chart.x, ...p.chart.y, ...(p.chart.series ? [p.chart.series] : [])])
        assert.ok(columns.includes(c), `${p.id}: chart column ${c} is one of ${columns.join(', ')}`);
      for (const c of p.money ?? []) assert.ok(columns.includes(c), `${p.id}: money column ${c}`);
    }
    const top = presets.find((p) => p.id === 'top_products')!;
    assert.deepEqual(top.chart, { type: 'bar', x: 'product_name', y: ['revenue'] });
    assert.equal(presets.find((p) => p.id === 'top_customers')!.chart!.y[0], 'spend');
  });

  it('a malformed chart header is refused with the file named', () => {
    assert.throws(() => parsePreset('09_x.sql', '-- X\n-- chart: pie x=a\nSELECT 1'), /09_x\.sql.*bar\|line/);
  });
});

describe('ETL schedule', () => {
  it('"every 0 minutes" is an error and the schedule in force stays; off is its own choice', async () => {
    assert.equal((await setSchedule(5)).everyMinutes, 5);
    await assert.rejects(setSchedule(0), { code: 'config_invalid', field: 'everyMinutes' });
    await assert.rejects(setSchedule(2.5), { field: 'everyMinutes' });
    assert.equal((await host.call('etl.schedule', {})).everyMinutes, 5);
    const off = await setSchedule(null);
    assert.deepEqual([off.everyMinutes, off.cron, off.nextRunAt], [null, null, null]);
  });
});
