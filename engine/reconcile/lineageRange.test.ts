import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkCall } from '../commandCheck';
import { resolveConfig, type EngineConfig } from '../config';
import type { MetricsRange, MetricsSnapshot } from '../contract';
import { Host } from '../host';
import { tmpDirs } from '../testing/tmpDirs';

/**
 * Lineage (a store's minute down to silver rows and their raw bronze records) and the Live page's
 * time range (the windows, and silver where they hold nothing), on the embedded services; every
 * figure compared with lake SQL over the same files.
 */

const tmp = tmpDirs('rp-lineage-');
const MINUTE = 60_000;

async function rows(host: Host, sql: string): Promise<unknown[][]> {
  return (await host.call('lake.query', { sql, limit: 10_000 })).rows;
}

/** Per minute and store, revenue in cents, as lake SQL over silver finds it. */
async function silverByMinute(host: Host, from: number, to: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [m, store, cents] of await rows(
    host,
    `SELECT (epoch_ms(event_time) // 60000) * 60000, store_id, (sum(line_amount) * 100)::BIGINT FROM silver
     WHERE epoch_ms(event_time) >= ${from} AND epoch_ms(event_time) < ${to} GROUP BY ALL`,
  ))
    out.set(`${Number(m)}/${Number(store)}`, Number(cents));
  return out;
}

function byMinute(windows: MetricsRange['windows']): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of windows) for (const [s, v] of Object.entries(w.byStore)) out.set(`${w.start}/${s}`, v.revenueCents);
  return out;
}

describe('lineage and the Live range on the embedded services', { timeout: 600_000 }, () => {
  let config: EngineConfig;
  let host: Host;
  let snapshot: MetricsSnapshot;
  before(async () => {
    config = resolveConfig({ dataDir: tmp() });
    host = await Host.open(config);
    await host.startStream();
    await host.startProducer({
      rate: 3000,
      limit: 4000,
      seed: 5,
      faults: { malformed: 0, invalid: 0, late: 0.05, duplicate: 0 },
    });
    await host.producerDone();
    await host.drainStream();
    await host.stopStream();
    snapshot = await host.call('metrics.snapshot', { minutes: 60 });
  });
  after(() => host.close());

  it('traces a store and a minute on the chart down to each sale in silver and its raw record in bronze', async () => {
    const [minute, storeId, counted] = snapshot.windows
      .flatMap((w) => Object.entries(w.byStore).map(([s, v]) => [w.start, Number(s), v] as const))
      .sort((a, b) => b[2].transactions - a[2].transactions)[0];
    const lineage = await host.call('lineage.minute', { storeId, minute, limit: 500 });
    const [[sales, revenue, lines]] = await rows(
      host,
      `SELECT count(DISTINCT transaction_id), sum(line_amount)::DOUBLE, count(*) FROM silver
       WHERE store_id = ${storeId} AND epoch_ms(event_time) >= ${minute} AND epoch_ms(event_time) < ${minute + MINUTE}`,
    );
    assert.deepEqual(
      [lineage.silver.sales, lineage.silver.revenue, lineage.silver.lines],
      [Number(sales), Number(revenue), Number(lines)],
    );
    assert.equal(lineage.storeName, snapshot.names.stores[String(storeId)]);
    assert.deepEqual(lineage.window, { transactions: counted.transactions, revenue: counted.revenueCents / 100 });
    assert.ok(lineage.silver.sales >= counted.transactions, 'silver holds every sale the window counted');
    assert.equal(lineage.notes.length > 0, lineage.silver.sales > counted.transactions);
    assert.equal(lineage.sales.length, Math.min(lineage.silver.sales, 500));
    assert.equal(lineage.more, lineage.silver.sales > 500);
    assert.ok(
      lineage.sales.every((s, i) => i === 0 || s.eventTime >= lineage.sales[i - 1].eventTime),
      'by event time',
    );
    for (const sale of lineage.sales) {
      assert.ok(sale.eventTime >= minute && sale.eventTime < minute + MINUTE);
      assert.equal(sale.total, Math.round(sale.lines.reduce((s, l) => s + l.amount * 100, 0)) / 100);
      assert.match(sale.silverFile, /^silver\/sales_lines\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/\d+-\d+-\d+\.parquet$/);
      assert.ok(sale.bronze, `bronze holds p${sale.partition}@${sale.offset}`);
      const raw = JSON.parse(sale.bronze.value) as { transaction_id: string; store_id: number; total_amount: number };
      assert.deepEqual([raw.transaction_id, raw.store_id, raw.total_amount], [sale.transactionId, storeId, sale.total]);
      assert.match(sale.bronze.file, /^bronze\/sales_transactions\//);
      assert.ok(sale.bronze.brokerTime <= sale.ingestedAt);
      assert.equal(sale.origin, 'stream');
    }
    const first = lineage.sales[0];
    assert.deepEqual(
      await rows(
        host,
        `SELECT value, key FROM bronze WHERE source_partition = ${first.partition} AND source_offset = ${first.offset}`,
      ),
      [[first.bronze!.value, first.bronze!.key]],
    );
    const one = await host.call('lineage.minute', { storeId, minute, limit: 1 });
    assert.deepEqual(
      [one.sales.length, one.more, one.silver.sales],
      [1, lineage.silver.sales > 1, lineage.silver.sales],
    );
    assert.deepEqual(one.sales[0], first, 'the first sale by event time, whatever the limit');

    const nothing = await host.call('lineage.minute', { storeId, minute: minute - 24 * 60 * MINUTE, limit: 10 });
    assert.deepEqual([nothing.silver.sales, nothing.sales, nothing.window, nothing.notes], [0, [], null, []]);
  });

  it('shows a range from the windows and, before the oldest window, from silver; one store alone', async () => {
    const range = await host.call('metrics.range', { minutes: 60 });
    assert.equal(range.to - range.from, 60 * MINUTE);
    assert.equal(range.sources[0].from, range.from);
    assert.equal(range.sources[range.sources.length - 1].to, range.to);
    for (let i = 1; i < range.sources.length; i++) assert.equal(range.sources[i].from, range.sources[i - 1].to);
    const windowsPart = range.sources.find((s) => s.source === 'windows')!;
    assert.equal(
      windowsPart.from,
      Math.min(...snapshot.windows.map((w) => w.start)),
      'the windows from their oldest on',
    );
    const fromWindows = range.windows.filter((w) => w.start >= windowsPart.from);
    assert.deepEqual(
      fromWindows.map((w) => [w.start, w.byStore]),
      snapshot.windows.map((w) => [w.start, w.byStore]),
    );
    // Before the oldest window: the late sales, from silver, in their own minutes.
    const silverPart = range.sources.find((s) => s.source === 'silver')!;
    const fromSilver = range.windows.filter((w) => w.start < windowsPart.from);
    assert.ok(fromSilver.length > 0, 'late sales older than the first window');
    assert.deepEqual(byMinute(fromSilver), await silverByMinute(host, silverPart.from, silverPart.to));

    const store = Number(Object.keys(snapshot.windows[0].byStore)[0]);
    const one = await host.call('metrics.range', { minutes: 60, stores: [store] });
    assert.ok(one.windows.every((w) => Object.keys(w.byStore).every((s) => s === String(store))));
    assert.ok(one.windows.every((w) => w.revenueCents === (w.byStore[String(store)]?.revenueCents ?? 0)));
    const [[cents]] = await rows(
      host,
      `SELECT (sum(line_amount) * 100)::BIGINT FROM silver WHERE store_id = ${store}
       AND epoch_ms(event_time) >= ${one.from} AND epoch_ms(event_time) < ${one.to}`,
    );
    const byCategory = Object.values(one.breakdown!.byCategory).reduce((s, c) => s + c, 0);
    const byProduct = Object.values(one.breakdown!.byProduct).reduce((s, p) => s + p.revenueCents, 0);
    assert.deepEqual([byCategory, byProduct], [Number(cents), Number(cents)]);
    assert.equal(range.breakdown, null);
  });

  it('after a restart (the embedded windows start empty) the whole range comes from silver', async () => {
    const before = await host.call('metrics.range', { minutes: 60 });
    await host.close();
    host = await Host.open(config);
    const range = await host.call('metrics.range', { minutes: 60 });
    assert.deepEqual(range.sources, [{ from: range.from, to: range.to, source: 'silver' }]);
    assert.deepEqual(byMinute(range.windows), await silverByMinute(host, range.from, range.to));
    // Silver holds every sale the windows held before, in the same minutes (late ones as well).
    const after = byMinute(range.windows);
    for (const [k, cents] of byMinute(before.windows)) assert.ok((after.get(k) ?? 0) >= cents, k);
  });

  it('with the metrics store down: the range from silver, said; the windows check unavailable, the rest read', async () => {
    await host.close();
    host = await Host.open(resolveConfig({ dataDir: config.dataDir, redis: 'redis://127.0.0.1:1' }));
    const range = await host.call('metrics.range', { minutes: 60 });
    assert.deepEqual(range.sources, [{ from: range.from, to: range.to, source: 'silver' }]);
    assert.match(
      range.note ?? '',
      /^the metrics store did not answer \(.*127\.0\.0\.1:1.*\): every minute comes from silver$/,
    );
    assert.deepEqual(byMinute(range.windows), await silverByMinute(host, range.from, range.to));
    const report = await host.call('reconcile.report', {});
    assert.deepEqual(
      report.checks.map((c) => c.state),
      ['ok', 'ok', 'explained', 'explained', 'unavailable'],
      'the warehouse has not loaded this lake (no ETL ran): its backlog is explained',
    );
    assert.match(report.checks[4].note ?? '', /127\.0\.0\.1:1/);
    const windows = report.layers.find((l) => l.layer === 'windows')!;
    assert.deepEqual([windows.records, windows.error?.code], [null, 'metrics_failed']);
  });

  it('refuses a wrong range, store, minute or limit, naming the field', async () => {
    const refused = async (p: Promise<unknown>, field: string, message: RegExp) =>
      assert.rejects(p, (e: { code?: string; field?: string; message?: string }) => {
        assert.deepEqual([e.code, e.field], ['config_invalid', field]);
        assert.match(e.message ?? '', message);
        return true;
      });
    for (const minutes of [14, 1441, 30.5, -60])
      await refused(host.call('metrics.range', { minutes }), 'minutes', /from 15 to 1440/);
    for (const stores of [[-1], [1.5]])
      await refused(host.call('metrics.range', { minutes: 60, stores }), 'stores', /store ids/);
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
    for (const storeId of [1.5, -1])
      await refused(host.call('lineage.minute', { storeId, minute }), 'storeId', /whole number/);
    for (const m of [minute + 1, 123 * MINUTE, Date.UTC(2200, 0, 1)])
      await refused(host.call('lineage.minute', { storeId: 1, minute: m }), 'minute', /start of a minute/);
    for (const limit of [0, 501, 2.5])
      await refused(host.call('lineage.minute', { storeId: 1, minute, limit }), 'limit', /from 1 to 500/);
    // The shape check every call from a window passes first.
    assert.throws(() => checkCall('lineage.minute', { storeId: '1', minute }), /field "storeId" must be a number/);
    assert.throws(
      () => checkCall('lineage.minute', { storeId: 1, minute: Number.NaN }),
      /field "minute" must be a number/,
    );
    assert.throws(() => checkCall('metrics.range', { minutes: 60, stores: '1,2' }), /field "stores" must be a array/);
    assert.throws(() => checkCall('metrics.range', { minutes: 60, store: 1 }), /unknown field "store"/);
    assert.throws(() => checkCall('reconcile.report', { full: true }), /unknown field "full"/);
  });
});
