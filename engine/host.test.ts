import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { StageStatus } from './contract';
import { resolveConfig } from './config';
import { Host } from './host';

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
});
