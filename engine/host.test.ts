import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ProducerSettings, ServiceHealth, StageStatus } from './contract';
import { resolveConfig } from './config';
import { Host } from './host';
import { testService } from './testing/realServices';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-host-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Host through the contract', { timeout: 120_000 }, () => {
  it('runs the stages a UI starts and stops, and reports their states and counters', async () => {
    const host = await Host.open(resolveConfig({ dataDir: dir }));
    const seen: StageStatus[] = [];
    host.on('stage.status', (s) => seen.push(s));
    try {
      await assert.rejects(host.call('producer.configure', { rate: 0 }), { code: 'config_invalid', field: 'rate' });
      await assert.rejects(host.call('producer.configure', { faults: { late: 2 } }), {
        code: 'config_invalid',
        field: 'faults.late',
      });
      assert.equal((await host.call('stage.start', { stage: 'stream' })).state, 'running');
      assert.equal(
        (
          await host.call('stage.start', {
            stage: 'producer',
            settings: { rate: 2000, faults: { malformed: 0.1, invalid: 0, late: 0, duplicate: 0 } },
          })
        ).state,
        'running',
      );
      await assert.rejects(host.call('stage.start', { stage: 'producer' }), { code: 'stage_state' });
      const settings = await host.call('producer.configure', { rate: 3000 });
      assert.equal(settings.rate, 3000);
      const end = Date.now() + 30_000;
      while (Date.now() < end) {
        const stream = (await host.call('stage.list', {})).find((s) => s.stage === 'stream')!;
        if ((stream.counters.quarantined ?? 0) > 10 && (stream.counters.valid ?? 0) > 1000) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const snap = await host.call('metrics.snapshot', { minutes: 5 });
      assert.ok(snap.transactions > 1000 && snap.revenue > 0 && snap.windows.length >= 1, 'the live windows fill up');
      assert.equal((await host.call('stage.stop', { stage: 'producer' })).state, 'stopped');
      assert.equal((await host.call('stage.stop', { stage: 'stream' })).state, 'stopped');
      const etl = await host.call('etl.run', {});
      assert.equal(etl.status, 'succeeded');
      assert.ok(etl.rowsInserted > 0);
      const history = await host.call('etl.history', {});
      assert.equal(history[0].run_id, etl.runId);
      assert.equal(history[0].rows_inserted, etl.rowsInserted);
      const q = await host.call('warehouse.query', { sql: 'SELECT count(*)::int AS n FROM fact_sales' });
      assert.deepEqual(q.columns, ['n']);
      assert.equal(q.rows[0][0], etl.rowsInserted);
      await assert.rejects(host.call('warehouse.query', { sql: 'DELETE FROM fact_sales' }), /DELETE is not allowed/);
      assert.ok(
        seen.some((s) => s.stage === 'stream' && (s.counters.consumed ?? 0) > 0),
        'counters reach the UI as events',
      );
    } finally {
      await host.close();
    }
  });

  it('keeps the producer settings in force for any page to read, and reports final counters on stop', async () => {
    const host = await Host.open(resolveConfig({ dataDir: fs.mkdtempSync(path.join(dir, 'p-')) }));
    const pushed: ProducerSettings[] = [];
    host.on('producer.settings', (s) => pushed.push(s));
    try {
      assert.equal((await host.call('producer.settings', {})).rate, 500);
      await host.call('stage.start', { stage: 'producer', settings: { rate: 1500 } });
      await host.call('producer.configure', { faults: { late: 0.02 } });
      // What a page that opens now reads: not its own default, the Host's.
      const inForce = await host.call('producer.settings', {});
      assert.equal(inForce.rate, 1500);
      assert.equal(inForce.faults.late, 0.02);
      assert.deepEqual(
        pushed.map((s) => s.rate),
        [1500, 1500],
      );
      await new Promise((r) => setTimeout(r, 1200));
      const statuses: StageStatus[] = [];
      host.on('stage.status', (st) => st.stage === 'producer' && statuses.push(st));
      // A second stop (a second window, or the producer's own "finished") shares the first one.
      const [stopped, again] = await Promise.all([
        host.call('stage.stop', { stage: 'producer' }),
        host.call('stage.stop', { stage: 'producer' }),
      ]);
      assert.deepEqual(again, stopped);
      await new Promise((r) => setTimeout(r, 700));
      assert.deepEqual(
        statuses.filter((st) => st.state === 'stopped').map((st) => st.counters),
        [stopped.counters],
        'one stop, and no later status undoes its final counters',
      );
      const broker = (await import('./services/open')).openBroker(host.config);
      const b = await broker;
      const inLog = (await b.endOffsets(host.config.topic)).reduce((x, y) => x + y, 0);
      await b.close();
      assert.equal(stopped.counters.records, inLog, 'the stopped producer counts every record in the log');
      assert.equal(stopped.counters.rate, 0, 'a stopped producer has no rate');
      assert.equal((await host.call('producer.settings', {})).rate, 1500, 'kept for the next start');
    } finally {
      await host.close();
    }
  });

  it('starts with a Redis that does not answer, shows it failed with the way to fix it, and tests settings', async () => {
    const config = resolveConfig({ dataDir: fs.mkdtempSync(path.join(dir, 'r-')), redis: 'redis://127.0.0.1:1' });
    const host = await Host.open(config, { waitForWarehouse: false, checkServices: true });
    try {
      const metrics = (await host.call('services.status', {})).find((s) => s.service === 'metrics')!;
      assert.equal(metrics.state, 'failed');
      assert.equal(metrics.error!.code, 'metrics_failed');
      assert.match(metrics.error!.message, /127\.0\.0\.1:1.*Settings/);
      assert.deepEqual(metrics.settings, ['redis', 'redisPrefix']);
      await assert.rejects(host.call('metrics.snapshot', {}), { code: 'metrics_failed', field: 'redis' });
      await assert.rejects(host.call('stage.start', { stage: 'stream' }), { code: 'metrics_failed' });
      // The rest of the app works: the producer, the lake, the warehouse.
      assert.equal((await host.call('warehouse.query', { sql: 'SELECT 1 AS one' })).rows[0][0], 1);
      const until = Date.now() + 10_000;
      let list: ServiceHealth[] = await host.call('services.status', {});
      while (list.some((s) => s.state === 'checking') && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        list = await host.call('services.status', {});
      }
      assert.deepEqual(
        list.map((s) => [s.service, s.state]),
        [
          ['broker', 'ok'],
          ['lake', 'ok'],
          ['warehouse', 'ok'],
          ['metrics', 'failed'],
        ],
      );
      const bad = await host.call('settings.test', { service: 'metrics', values: { redis: 'redis://127.0.0.1:1' } });
      assert.equal(bad.ok, false);
      assert.match(bad.error!.message, /127\.0\.0\.1:1/);
      const good = await host.call('settings.test', { service: 'metrics', values: { redis: testService('redis') } });
      assert.equal(good.ok, true, good.error?.message);
      const invalid = await host.call('settings.test', { service: 'broker', values: { kafka: 'nohost' } });
      assert.deepEqual([invalid.ok, invalid.error!.field], [false, 'kafka']);
    } finally {
      await host.close();
    }
  });
});

describe('Host: the ETL stage and closing', { timeout: 120_000 }, () => {
  it('shows a failed ETL with its own error code, runs once the warehouse is free, and closes twice', async () => {
    const data = fs.mkdtempSync(path.join(dir, 'etl-'));
    const host = await Host.open(resolveConfig({ dataDir: data }));
    const etlState = async () => (await host.call('stage.list', {})).find((s) => s.stage === 'etl')!;
    try {
      // Another run holds the warehouse: the ETL cannot begin, and says so with that code.
      await host.warehouse.beginRun('held-by-someone-else');
      await assert.rejects(host.call('etl.run', {}), { code: 'etl_busy' });
      assert.deepEqual([(await etlState()).state, (await etlState()).error?.code], ['failed', 'etl_busy']);
      await host.warehouse.finishRun({
        runId: 'held-by-someone-else',
        status: 'failed',
        files: 0,
        inserted: 0,
        skipped: 0,
        error: 'let go',
      });
      // A silver file that is not Parquet (a torn copy): the run fails with the reader's error, not the warehouse's.
      const torn = path.join(data, 'lake', 'silver', 'sales_lines', 'date=2026-01-01', 'hour=00');
      fs.mkdirSync(torn, { recursive: true });
      fs.writeFileSync(path.join(torn, '0-0-9.parquet'), 'not parquet');
      const failed = await host.call('etl.run', {});
      assert.equal(failed.status, 'failed');
      assert.ok(failed.errorInfo && failed.errorInfo.code !== 'warehouse_failed', JSON.stringify(failed.errorInfo));
      assert.deepEqual((await etlState()).error, failed.errorInfo);
      fs.rmSync(path.join(torn, '0-0-9.parquet'));
      const ok = await host.call('etl.run', {});
      assert.equal(ok.status, 'succeeded', ok.error);
      assert.equal((await etlState()).state, 'stopped');
    } finally {
      // Closing twice (a window's close and the app's quit) resolves both, and once more after.
      await Promise.all([host.close(), host.close()]);
      await host.close();
    }
    // The data dir is free again.
    const again = await Host.open(resolveConfig({ dataDir: data }));
    await again.close();
  });
});
