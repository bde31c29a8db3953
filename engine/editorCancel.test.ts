import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { resolveConfig } from './config';
import { Host } from './host';
import { testService } from './testing/realServices';
import { tmpDirs } from './testing/tmpDirs';

/**
 * Cancel in the Warehouse page, through the contract as the UI calls it: a running query stops
 * within about a second on both warehouses, `warehouse.cancel` answers cancelled only when it
 * really was, and on the embedded warehouse an ETL loading at that moment is not harmed.
 */

const tmp = tmpDirs('rp-cancel-');
/** Minutes of work in PGlite on any machine (and far past a second on PostgreSQL). */
const LONG_QUERY = 'SELECT sum(a.g * b.g) FROM generate_series(1, 20000) a(g), generate_series(1, 20000) b(g)';
const NO_FAULTS = { malformed: 0, invalid: 0, late: 0, duplicate: 0 };

describe('Cancel in the warehouse editor', { timeout: 240_000 }, () => {
  it('embedded: stops a running query within a second while an ETL loads, and the ETL loads every line exactly once', async () => {
    const host = await Host.open(resolveConfig({ dataDir: tmp() }));
    try {
      await host.startStream();
      await host.startProducer({ rate: 10_000, seed: 16, limit: 30_000, faults: NO_FAULTS });
      await host.producerDone();
      await host.drainStream();
      await host.stopStream();
      const lines = (await host.summary()).silver.lines;
      assert.ok(lines > 30_000);
      await host.call('warehouse.query', { sql: 'SELECT 1', queryId: 'warm-up' });

      // 'loading' is reported before the first chunk goes in: the whole load (one chunk of up to
      // 200,000 rows here, seconds on PGlite) is still ahead.
      const loading = new Promise<void>((resolve) =>
        host.on('etl.progress', (p) => p.phase === 'loading' && p.rowsDone === 0 && resolve()),
      );
      let etlDone = false;
      const etl = host.call('etl.run', {}).finally(() => (etlDone = true));
      await loading;
      const slow = host.call('warehouse.query', { sql: LONG_QUERY, queryId: 'slow' });
      slow.catch(() => undefined); // awaited below, after the cancel
      await new Promise((r) => setTimeout(r, 1000)); // the user waits a moment, then clicks Cancel
      const clicked = Date.now();
      assert.deepEqual(await host.call('warehouse.cancel', { queryId: 'slow' }), { cancelled: true });
      await assert.rejects(slow, { code: 'cancelled', message: 'the query was cancelled' });
      assert.ok(Date.now() - clicked < 1000, `stopped ${Date.now() - clicked} ms after Cancel`);
      assert.equal(etlDone, false, 'the ETL was still loading when the query was cancelled');

      const result = await etl;
      assert.equal(result.status, 'succeeded');
      assert.equal(result.rowsInserted, lines);
      const summary = await host.summary();
      assert.equal(summary.warehouse.fact_rows, summary.silver.lines);
      assert.ok(Math.abs(summary.warehouse.revenue - summary.silver.revenue) <= 0.01);
      assert.equal((await host.call('etl.run', {})).rowsInserted, 0, 'a second run loads nothing');
      const count = await host.call('warehouse.query', { sql: 'SELECT count(*) FROM fact_sales', queryId: 'after' });
      assert.deepEqual(count.rows, [[lines]], 'the editor sees the finished load');
      assert.deepEqual(await host.call('warehouse.cancel', { queryId: 'after' }), { cancelled: false });
    } finally {
      await host.close();
    }
  });

  it('PostgreSQL: stops a running query on the server, and answers cancelled: false for one that had finished', async () => {
    const admin = new URL(testService('postgres'));
    const database = `rp_cancel_${randomBytes(5).toString('hex')}`;
    const run = async (sql: string) => {
      const c = new pg.Client({ connectionString: admin.href });
      await c.connect();
      await c.query(sql).finally(() => c.end());
    };
    await run(`CREATE DATABASE ${database}`);
    after(() => run(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    const url = new URL(admin.href);
    url.pathname = `/${database}`;
    const host = await Host.open(resolveConfig({ dataDir: tmp(), postgres: url.href }));
    try {
      const slow = host.call('warehouse.query', { sql: 'SELECT pg_sleep(60)', queryId: 'slow' });
      slow.catch(() => undefined); // awaited below, after the cancel
      await new Promise((r) => setTimeout(r, 500));
      const clicked = Date.now();
      assert.deepEqual(await host.call('warehouse.cancel', { queryId: 'slow' }), { cancelled: true });
      await assert.rejects(slow, {
        code: 'cancelled',
        message: 'the query was cancelled (canceling statement due to user request)',
      });
      assert.ok(Date.now() - clicked < 1000, `stopped ${Date.now() - clicked} ms after Cancel`);
      const fast = await host.call('warehouse.query', { sql: 'SELECT 1 AS one', queryId: 'fast' });
      assert.deepEqual(fast.rows, [[1]]);
      assert.deepEqual(await host.call('warehouse.cancel', { queryId: 'fast' }), { cancelled: false });
    } finally {
      await host.close();
    }
  });
});
