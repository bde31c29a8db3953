import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resolveConfig, type EngineConfig } from '../config';
import type { ReconcileCheck, ReconciliationReport } from '../contract';
import { Host } from '../host';
import { BUILTIN_CATALOG } from '../model/catalog';
import { tmpDirs } from '../testing/tmpDirs';

/**
 * Reconciliation on the embedded services, as a user's session goes: a run where everything holds,
 * then each difference the page explains as it happens (records the stream has not read, silver
 * lines the ETL has not loaded, windows that restarted empty with the app, records quarantined then
 * replayed), every figure checked against pipeline.summary or lake SQL, never against itself.
 */

const tmp = tmpDirs('rp-recon-');
const WITH_9999 = {
  ...BUILTIN_CATALOG,
  products: [...BUILTIN_CATALOG.products, { product_id: 9999, name: 'Seasonal Hamper', category: 'Gifts', price: 300 }],
};
const FAULTS = { malformed: 0.01, invalid: 0.05, late: 0.02, duplicate: 0.01 };

const checkOf = (r: ReconciliationReport, id: ReconcileCheck['id']): ReconcileCheck =>
  r.checks.find((c) => c.id === id)!;
const layer = (r: ReconciliationReport, name: string) => r.layers.find((l) => l.layer === name)!;
const states = (r: ReconciliationReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.state]));

async function produce(host: Host, limit: number, seed: number): Promise<void> {
  await host.startProducer({ rate: 4000, limit, seed, faults: FAULTS });
  await host.producerDone();
}

async function lakeNumber(host: Host, sql: string): Promise<number> {
  return Number((await host.call('lake.query', { sql })).rows[0][0] ?? 0);
}

describe('reconciliation on the embedded services', { timeout: 600_000 }, () => {
  let config: EngineConfig;
  let host: Host;
  before(async () => {
    config = resolveConfig({ dataDir: tmp() });
    host = await Host.open(config);
  });
  after(() => host.close());

  it('after a run every layer is side by side, each check holds, with the numbers pipeline.summary finds', async () => {
    await host.startStream();
    await produce(host, 3000, 1);
    await host.drainStream();
    await host.stopStream();
    assert.equal((await host.runEtl()).status, 'succeeded');
    const r = await host.call('reconcile.report', {});
    const s = await host.summary();
    assert.deepEqual(states(r), {
      log_bronze: 'ok',
      bronze_split: 'ok',
      silver_warehouse_lines: 'ok',
      silver_warehouse_revenue: 'ok',
      silver_windows: 'ok',
    });
    assert.equal(layer(r, 'log').records, s.produced.records);
    assert.deepEqual([layer(r, 'bronze').records, layer(r, 'bronze').files], [s.bronze.records, s.bronze.files]);
    const silver = layer(r, 'silver');
    assert.deepEqual(
      [silver.records, silver.lines, silver.revenue, silver.files],
      [s.silver.transactions, s.silver.lines, s.silver.revenue, s.silver.files],
    );
    assert.equal(layer(r, 'quarantine').records, s.quarantine.records);
    assert.equal(layer(r, 'quarantine').note, `open ${s.quarantine.open.toLocaleString('en-US')}, replayed 0`);
    assert.deepEqual(
      [layer(r, 'warehouse').lines, layer(r, 'warehouse').revenue],
      [s.warehouse.fact_rows, s.warehouse.revenue],
    );
    assert.ok(Math.abs(layer(r, 'windows').revenue! - (s.windows.revenue + s.windows.late_revenue)) <= 0.01);
    assert.deepEqual(r.backlog && [r.backlog.files, r.backlog.lines], [0, 0]);
    // Freshness: the newest event time of silver and the warehouse is the newest sale's; bronze's the newest arrival.
    const newestEvent = await lakeNumber(host, 'SELECT epoch_ms(max(event_time)) FROM silver');
    assert.equal(silver.newest, newestEvent);
    assert.equal(layer(r, 'warehouse').newest, newestEvent);
    assert.equal(layer(r, 'bronze').newest, await lakeNumber(host, 'SELECT epoch_ms(max(broker_time)) FROM bronze'));
    assert.equal(
      layer(r, 'windows').newest,
      Math.max(...(await host.call('metrics.snapshot', { minutes: 60 })).windows.map((w) => w.start)),
    );
    // Per partition: the log's end is the lake's checkpoint, bronze holds all of it, the windows counted it from 0.
    assert.ok(r.partitions.length >= 1);
    for (const p of r.partitions) {
      assert.equal(p.lake, p.end);
      assert.equal(p.bronze, p.end);
      assert.deepEqual(
        [p.unread, p.inFlight, p.holes.length, p.windowsSince, p.windowsApplied],
        [0, 0, 0, 0, p.end - 1],
      );
    }
  });

  it('explains records the stream has not read, then silver lines the ETL has not loaded', async () => {
    const before = await host.call('reconcile.report', {});
    await produce(host, 500, 2);
    const unread = await host.call('reconcile.report', {});
    const log = checkOf(unread, 'log_bronze');
    const added = layer(unread, 'log').records! - layer(before, 'log').records!;
    assert.ok(added >= 500, `${added} records produced`);
    assert.equal(log.state, 'explained');
    assert.deepEqual(
      log.explained.map((e) => [e.kind, e.amount]),
      [['not_yet_read', added]],
    );
    assert.match(log.explained[0].text, /start the stream to read them/);
    assert.equal(
      unread.partitions.reduce((s, p) => s + p.unread, 0),
      added,
    );

    await host.startStream();
    await host.drainStream();
    await host.stopStream();
    const loaded = await host.call('reconcile.report', {});
    assert.equal(checkOf(loaded, 'log_bronze').state, 'ok');
    const newLines = layer(loaded, 'silver').lines! - layer(before, 'silver').lines!;
    const newRevenue = Math.round((layer(loaded, 'silver').revenue! - layer(before, 'silver').revenue!) * 100) / 100;
    const lines = checkOf(loaded, 'silver_warehouse_lines');
    assert.equal(lines.state, 'explained');
    assert.deepEqual(
      lines.explained.map((e) => [e.kind, e.amount]),
      [['etl_backlog', newLines]],
    );
    assert.match(lines.explained[0].text, /the next ETL run loads them/);
    const revenue = checkOf(loaded, 'silver_warehouse_revenue');
    assert.deepEqual(
      revenue.explained.map((e) => e.kind),
      ['etl_backlog'],
    );
    assert.ok(Math.abs(revenue.explained[0].amount - newRevenue) <= 0.01);
    assert.deepEqual(loaded.backlog && [loaded.backlog.lines, loaded.backlog.etlRunning], [newLines, false]);
    assert.equal((await host.runEtl()).status, 'succeeded');
    assert.equal(checkOf(await host.call('reconcile.report', {}), 'silver_warehouse_lines').state, 'ok');
  });

  it('explains windows that restarted empty with the app, to the cent, and where they count from', async () => {
    await host.close();
    host = await Host.open(config);
    const empty = await host.call('reconcile.report', {});
    const silverRevenue = layer(empty, 'silver').revenue!;
    const w = checkOf(empty, 'silver_windows');
    assert.equal(w.state, 'explained');
    assert.deepEqual(
      w.explained.map((e) => [e.kind, e.amount]),
      [['windows_restarted', silverRevenue]],
    );
    assert.match(w.explained[0].text, /embedded store keeps its windows in memory/);
    const lakeBefore = new Map(empty.partitions.map((p) => [p.partition, p.lake]));

    await host.startStream();
    await produce(host, 600, 3);
    await host.drainStream();
    await host.stopStream();
    const later = await host.call('reconcile.report', {});
    const again = checkOf(later, 'silver_windows');
    assert.equal(again.state, 'explained', JSON.stringify(again));
    assert.equal(again.unexplained, 0);
    assert.deepEqual(
      again.explained.map((e) => [e.kind, e.amount]),
      [['windows_restarted', silverRevenue]],
    );
    for (const p of later.partitions.filter((x) => x.windowsSince !== null))
      assert.equal(
        p.windowsSince,
        lakeBefore.get(p.partition),
        'the windows count each partition from where the lake was',
      );
    assert.equal(checkOf(later, 'log_bronze').state, 'ok');
  });

  it('explains records quarantined, then replayed into silver', async () => {
    await host.startStream();
    await host.call('catalog.apply', { files: [{ name: 'with-9999.json', text: JSON.stringify(WITH_9999) }] });
    const replay = await host.call('quarantine.replay', { reason: 'unknown_product' });
    await host.stopStream();
    assert.ok(replay.toSilver > 5, `${replay.toSilver} replayed`);
    const r = await host.call('reconcile.report', {});
    const split = checkOf(r, 'bronze_split');
    assert.equal(split.state, 'explained');
    assert.deepEqual(
      split.explained.map((e) => [e.kind, e.amount]),
      [['replayed', -replay.toSilver]],
    );
    const s = await host.summary();
    assert.equal(
      layer(r, 'quarantine').note,
      `open ${s.quarantine.open.toLocaleString('en-US')}, replayed ${s.quarantine.replayed.toLocaleString('en-US')}`,
    );
    assert.equal(layer(r, 'silver').records, s.silver.transactions);
    // The replay reached the windows (once, as late) and the warehouse: only the restart stays explained.
    assert.deepEqual(
      checkOf(r, 'silver_windows').explained.map((e) => e.kind),
      ['windows_restarted'],
    );
    assert.equal(checkOf(r, 'silver_warehouse_lines').state, 'ok');

    // Lineage of a replayed sale: silver's replay file, and the raw record bronze kept when it was quarantined.
    const [[storeId, minute, txId]] = (
      await host.call('lake.query', {
        sql: `SELECT store_id, (epoch_ms(event_time) // 60000) * 60000, transaction_id FROM silver
              WHERE catalog_version = '${replay.catalogVersion}' AND product_id = 9999 LIMIT 1`,
      })
    ).rows as [number, number, string][];
    const lineage = await host.call('lineage.minute', { storeId, minute, limit: 500 });
    const sale = lineage.sales.find((x) => x.transactionId === txId)!;
    assert.equal(sale.origin, 'replay');
    assert.match(sale.silverFile, new RegExp(`/replay-${replay.replayId}-0\\.parquet$`));
    assert.equal((JSON.parse(sale.bronze!.value) as { transaction_id: string }).transaction_id, txId);
    assert.ok(lineage.notes.some((n) => /quarantine replay or an imported file/.test(n)));
  });
});
