import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { paths, resolveConfig, type EngineConfig } from '../config';
import type { Lineage, ReconciliationReport } from '../contract';
import { Host } from '../host';
import { reconcileLakeApi, type ReconcileLakeApi } from '../reconcile/reconcileLakeApi';
import { openDuck } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { openLake } from '../services/open';
import { tmpDirs } from '../testing/tmpDirs';
import { compactLake, type CompactOptions } from './compactor';
import { isCompactedKey } from './compactionKeys';
import { later } from './testing/compactionHarness';
import { visibleKeys } from './lakeView';

/**
 * Reconciliation and lineage over a lake that compaction merged: the report (every layer, the ETL's
 * backlog, each check), a store's minute down to its bronze records, and silver's minutes come out
 * the same while the replaced files still lie beside the compacted ones and after they are gone,
 * and a warehouse that loaded only some of the merged files is owed exactly the rest.
 */

const tmp = tmpDirs('rp-compaction-recon-');
const FAULTS = { malformed: 0.02, invalid: 0.03, late: 0.03, duplicate: 0.02 };

/** The report's figures a user compares; the file counts change by design (that is compaction). */
const figures = (r: ReconciliationReport) => ({
  layers: r.layers.map(({ layer, records, lines, revenue, newest }) => ({ layer, records, lines, revenue, newest })),
  partitions: r.partitions,
  backlog: r.backlog && { files: r.backlog.files, lines: r.backlog.lines, revenue: r.backlog.revenue },
  checks: r.checks.map(({ id, state, left, right, difference, unexplained }) => ({
    id,
    state,
    left,
    right,
    difference,
    unexplained,
  })),
});
/** Each sale as lineage shows it, but for the files it names (compaction renames them by design). */
const sales = (l: Lineage) =>
  l.sales.map((s) => ({ ...s, silverFile: undefined, bronze: s.bronze && { ...s.bronze, file: undefined } }));

describe('reconciliation and lineage over a compacted lake', { timeout: 600_000 }, () => {
  let config: EngineConfig;
  let host: Host;
  let lake: Lake;
  let minute: { storeId: number; minute: number };
  before(async () => {
    config = resolveConfig({ dataDir: tmp() });
    host = await Host.open(config);
    lake = await openLake(config);
    await host.startStream();
    await host.startProducer({ rate: 4000, limit: 4000, seed: 7, faults: FAULTS });
    await host.producerDone();
    await host.drainStream();
    await host.stopStream();
    assert.equal((await host.runEtl()).status, 'succeeded');
    const busiest = (
      await host.call('lake.query', {
        sql: `SELECT store_id, epoch_ms(date_trunc('minute', event_time)) AS m FROM silver
              GROUP BY ALL ORDER BY count(*) DESC, m, store_id LIMIT 1`,
      })
    ).rows[0];
    minute = { storeId: Number(busiest[0]), minute: Number(busiest[1]) };
  });
  after(() => host.close());

  const compact = async (over: CompactOptions = {}) => {
    const duck = await openDuck({ threads: 1 });
    const run = await compactLake({ lake, duck, loadedFiles: () => host.warehouse.loadedFiles() }, later(over));
    duck.closeSync();
    assert.equal(run.status, 'succeeded', run.error);
    return run;
  };

  it('the report, lineage and silver minutes are the same before, while the replaced files remain, and after', async () => {
    const report0 = await host.call('reconcile.report', {});
    assert.ok(
      report0.checks.every((c) => c.state === 'ok' || c.state === 'explained'),
      JSON.stringify(report0.checks),
    );
    assert.deepEqual(report0.backlog && [report0.backlog.files, report0.backlog.lines], [0, 0]);
    const lineage0 = await host.call('lineage.minute', { ...minute, limit: 50 });
    assert.ok(lineage0.sales.length > 0 && lineage0.sales.every((s) => s.bronze !== null));
    const silverBefore = (await visibleKeys(lake, LAYERS.silver)).length;
    const range = { from: minute.minute - 3_600_000, to: minute.minute + 3_600_000 };
    const reader = reconcileLakeApi(lake, [paths.lake(config)]);
    const windows0 = await reader.silverWindows(range);
    assert.ok(windows0.some((w) => w.start === minute.minute && w.byStore[String(minute.storeId)]?.transactions > 0));

    const run = await compact();
    assert.ok(run.layers.silver.filesIn > run.layers.silver.filesOut, JSON.stringify(run.layers));
    assert.ok(run.pendingCleanup > 0, 'the replaced files are still in the lake (their grace period)');
    for (const stage of ['replaced files still there', 'replaced files deleted']) {
      const report = await host.call('reconcile.report', {});
      assert.deepEqual(figures(report), figures(report0), stage);
      const silver = report.layers.find((l) => l.layer === 'silver')!;
      assert.ok(silver.files! < silverBefore, `${stage}: silver is read as its compacted files`);
      const lineage = await host.call('lineage.minute', { ...minute, limit: 50 });
      assert.deepEqual(lineage.silver.sales, lineage0.silver.sales, stage);
      assert.deepEqual(lineage.silver.lines, lineage0.silver.lines, stage);
      assert.deepEqual(sales(lineage), sales(lineage0), `${stage}: each sale, its lines and its bronze record once`);
      assert.ok(
        lineage.sales.every((s) => isCompactedKey(s.silverFile) && isCompactedKey(s.bronze!.file)),
        stage,
      );
      if (stage === 'replaced files still there') assert.ok((await compact({ graceMs: 0 })).cleaned > 0);
    }
  });

  it('a warehouse that loaded some of the merged files is owed exactly the others', async () => {
    // A fresh reader of the lake (as the lake worker), asked as if the manifest held every other file.
    const dir = tmp();
    const other = resolveConfig({ dataDir: dir });
    await host.close();
    // The lake of the first test, copied before its compaction is not possible any more: start again.
    host = await Host.open(other);
    lake = await openLake(other);
    await host.startStream();
    await host.startProducer({ rate: 4000, limit: 3000, seed: 8, faults: FAULTS });
    await host.producerDone();
    await host.drainStream();
    await host.stopStream();
    assert.equal((await host.runEtl()).status, 'succeeded');
    const manifest = await host.warehouse.loadedFiles();
    const half = manifest.filter((_, i) => i % 2 === 0);
    const api: ReconcileLakeApi = reconcileLakeApi(lake, [paths.lake(other)]);
    const owed0 = (await api.reconcileLake({ loaded: half, windowsSince: null })).backlog!;
    assert.ok(owed0.files > 0 && owed0.lines > 0);
    await compact({ graceMs: 0 });
    await compact({ graceMs: 0 });
    const after = await api.reconcileLake({ loaded: half, windowsSince: null });
    assert.deepEqual(after.backlog, owed0, 'the same files, lines and revenue still to load');
    assert.equal(after.loaded.gone, 0, 'a loaded file merged into a compacted one is not gone');
    const all = await api.reconcileLake({ loaded: manifest, windowsSince: null });
    assert.deepEqual(all.backlog, { files: 0, lines: 0, cents: 0 });
    assert.equal(all.loaded.lines, all.silver.lines);
  });
});
