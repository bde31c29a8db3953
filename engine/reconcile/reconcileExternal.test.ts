import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '../config';
import type { ReconciliationReport } from '../contract';
import { Host } from '../host';
import { freshExternal, type ExternalSetup } from '../testing/externalServices';
import { deleteRecordsBefore } from '../testing/kafkaRetention';
import { testService } from '../testing/realServices';
import { tmpDirs } from '../testing/tmpDirs';

/**
 * Reconciliation, lineage and the Live range on the real test Kafka, S3 (moto), PostgreSQL and
 * Redis: the same checks hold; Redis keeps its windows when the app restarts (nothing to explain,
 * unlike the embedded store); and a lake started after retention removed the topic's first records
 * says exactly which, as retention.
 */

const tmp = tmpDirs('rp-recon-x-');
const setups: ExternalSetup[] = [];
after(async () => {
  for (const s of setups) await s.cleanup();
});
async function fresh(): Promise<ExternalSetup> {
  const s = await freshExternal();
  setups.push(s);
  return s;
}

const states = (r: ReconciliationReport) => r.checks.map((c) => `${c.id}:${c.state}`);
const layer = (r: ReconciliationReport, name: string) => r.layers.find((l) => l.layer === name)!;

async function run(host: Host, limit: number): Promise<void> {
  await host.startStream();
  await host.startProducer({
    rate: 3000,
    limit,
    seed: 9,
    faults: { malformed: 0.01, invalid: 0.03, late: 0.03, duplicate: 0.01 },
  });
  await host.producerDone();
  await host.drainStream();
  await host.stopStream();
  assert.equal((await host.runEtl()).status, 'succeeded');
}

describe('reconciliation on real Kafka, S3, PostgreSQL and Redis', { timeout: 900_000 }, () => {
  it('every check holds, lineage reads bronze on S3, the range comes from Redis, and a restart keeps the windows', async () => {
    const x = await fresh();
    const config = resolveConfig({ dataDir: tmp(), ...x.input });
    let host = await Host.open(config);
    try {
      await run(host, 3000);
      const r = await host.call('reconcile.report', {});
      const s = await host.summary();
      assert.deepEqual(states(r), [
        'log_bronze:ok',
        'bronze_split:ok',
        'silver_warehouse_lines:ok',
        'silver_warehouse_revenue:ok',
        'silver_windows:ok',
      ]);
      assert.deepEqual(
        [
          layer(r, 'log').records,
          layer(r, 'bronze').records,
          layer(r, 'silver').records,
          layer(r, 'quarantine').records,
        ],
        [s.produced.records, s.bronze.records, s.silver.transactions, s.quarantine.records],
      );
      assert.deepEqual(
        [layer(r, 'warehouse').lines, layer(r, 'warehouse').revenue],
        [s.warehouse.fact_rows, s.warehouse.revenue],
      );
      assert.match(layer(r, 'windows').from, /Redis/);
      assert.ok(layer(r, 'warehouse').newest !== null && layer(r, 'warehouse').newest === layer(r, 'silver').newest);

      const snap = await host.call('metrics.snapshot', { minutes: 60 });
      const w = snap.windows.find((v) => Object.keys(v.byStore).length)!;
      const storeId = Number(Object.keys(w.byStore)[0]);
      const lineage = await host.call('lineage.minute', { storeId, minute: w.start, limit: 20 });
      assert.ok(lineage.sales.length > 0);
      for (const sale of lineage.sales) {
        assert.equal((JSON.parse(sale.bronze!.value) as { transaction_id: string }).transaction_id, sale.transactionId);
        assert.equal(sale.bronze!.key, String(storeId), 'the simulator keys by store');
      }
      assert.deepEqual(lineage.window, {
        transactions: w.byStore[storeId].transactions,
        revenue: w.byStore[storeId].revenueCents / 100,
      });

      const range = await host.call('metrics.range', { minutes: 120 });
      const fromWindows = range.windows.filter((v) =>
        range.sources.some((src) => src.source === 'windows' && v.start >= src.from),
      );
      assert.deepEqual(
        fromWindows.map((v) => [v.start, v.revenueCents]),
        snap.windows.map((v) => [v.start, v.revenueCents]),
      );

      await host.close();
      host = await Host.open(config);
      const again = await host.call('reconcile.report', {});
      assert.equal(again.checks.find((c) => c.id === 'silver_windows')!.state, 'ok', 'Redis kept the windows');
      assert.deepEqual(
        (await host.call('metrics.range', { minutes: 120 })).sources.map((src) => src.source).at(-1),
        'windows',
      );
    } finally {
      await host.close();
    }
  });

  it('a lake started after retention removed the first records explains them as retention, by partition and offset', async () => {
    const x = await fresh();
    const first = await Host.open(resolveConfig({ dataDir: tmp(), ...x.input }));
    try {
      await run(first, 2000);
    } finally {
      await first.close();
    }
    await deleteRecordsBefore([testService('kafka')], String(x.input.topic), new Map([[0, 100]]));
    const y = await fresh();
    const host = await Host.open(resolveConfig({ dataDir: tmp(), ...y.input, topic: x.input.topic }));
    try {
      await run(host, 0);
      const r = await host.call('reconcile.report', {});
      const log = r.checks.find((c) => c.id === 'log_bronze')!;
      assert.equal(log.state, 'explained');
      assert.deepEqual(
        log.explained.map((e) => [e.kind, e.amount]),
        [['retention', 100]],
      );
      assert.match(
        log.explained[0].text,
        /retention removed 100 records before this lake read them \(p0 offsets 0–99\)/,
      );
      const p0 = r.partitions.find((p) => p.partition === 0)!;
      assert.deepEqual([p0.earliest, p0.holes], [100, [{ from: 0, to: 99, records: 100, retention: true }]]);
      assert.equal(p0.windowsSince, 100, "this lake's windows count p0 from the log's start");
      assert.deepEqual(
        r.checks.filter((c) => c.id !== 'log_bronze').map((c) => c.state),
        ['ok', 'ok', 'ok', 'ok'],
      );
    } finally {
      await host.close();
    }
  });
});
