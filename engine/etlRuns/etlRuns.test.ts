/**
 * ETL runs as the ETL page shows them, on the embedded warehouse and on the real test PostgreSQL:
 * a run that fails on a broken silver file is recorded with its trigger, log and error; a rerun
 * after the file is gone loads what the failed run did not, and lists the files it loaded; a rerun
 * of a run that succeeded loads nothing twice; the schedule and the runs' triggers survive a restart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { resolveConfig, type ConfigInput } from '../config';
import type { EtlRunView } from '../contract';
import { Host } from '../host';
import { openLake } from '../services/open';
import { freshExternal } from '../testing/externalServices';
import { produceSales } from '../testing/produceSales';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-etlruns-');
const BROKEN = 'silver/sales_lines/date=2026-01-01/hour=00/9-0-0.parquet';

async function scenario(label: string, input: () => Promise<{ input: ConfigInput; cleanup: () => Promise<void> }>) {
  test(
    `ETL runs (${label}): trigger, log, files, rerun, and a schedule that survives a restart`,
    { timeout: 180_000 },
    async (t) => {
      const ext = await input();
      t.after(ext.cleanup);
      const config = resolveConfig({ ...ext.input, dataDir: tmp() });
      let host = await Host.open(config);
      t.after(() => host.close());
      const events: EtlRunView[] = [];
      host.on('etl.run', (r) => events.push(r));
      await produceSales(host, 1500);

      // A file in silver that is not Parquet: the run fails, saying which file.
      const lake = await openLake(config);
      const junk = path.join(config.dataDir, 'junk.parquet');
      fs.writeFileSync(junk, 'not parquet at all');
      await lake.put(BROKEN, junk);
      const failed = await host.call('etl.run', {});
      assert.equal(failed.status, 'failed');
      assert.deepEqual(
        events.map((e) => [e.runId, e.status]),
        [
          [failed.runId, 'running'],
          [failed.runId, 'failed'],
        ],
      );
      const [first] = await host.call('etl.runs', {});
      assert.equal(first.runId, failed.runId);
      assert.equal(first.trigger, 'manual');
      assert.equal(first.status, 'failed');
      assert.equal(first.hasLog, true);
      assert.match(first.error ?? '', /9-0-0\.parquet/);
      const failedLog = await host.call('etl.runLog', { runId: failed.runId });
      assert.deepEqual(failedLog.files, []);
      assert.equal(failedLog.log[0].message, 'started by hand');
      assert.equal(failedLog.log.at(-1)?.level, 'error');
      assert.match(failedLog.log.at(-1)?.message ?? '', /^failed: .*9-0-0\.parquet/);

      // The file removed, a rerun of the failed run loads everything it did not.
      await lake.delete([BROKEN]);
      const rerun = await host.call('etl.rerun', { runId: failed.runId });
      assert.equal(rerun.status, 'succeeded');
      const lines = (await host.summary()).silver.lines;
      assert.equal(rerun.rowsInserted, lines);
      const detail = await host.call('etl.runLog', { runId: rerun.runId });
      assert.equal(detail.run.trigger, 'rerun');
      assert.equal(detail.run.rerunOf, failed.runId);
      assert.equal(detail.files.length, rerun.files);
      assert.equal(
        detail.files.reduce((s, f) => s + f.rows, 0),
        lines,
      );
      assert.ok(detail.files.every((f) => f.key.startsWith('silver/sales_lines/')));
      assert.match(
        detail.log.map((l) => l.message).join('\n'),
        /a rerun of etl-.*\n.*\n.*silver files not loaded yet .*\n(.|\n)*succeeded in [\d.]+ s/,
      );
      assert.ok(detail.run.durationMs !== null && detail.run.durationMs >= 0);

      // Again: nothing new to load, nothing loaded twice.
      const again = await host.call('etl.rerun', { runId: rerun.runId });
      assert.equal(again.rowsInserted, 0);
      assert.equal((await host.summary()).warehouse.fact_rows, lines);

      // Refused with the field named: a path instead of a run id, a run that never was.
      await assert.rejects(host.call('etl.runLog', { runId: '../../settings' }), {
        code: 'config_invalid',
        field: 'runId',
      });
      await assert.rejects(host.call('etl.rerun', { runId: 'etl-2020-01-01T00-00-00-000Z-deadbeef' }), {
        code: 'not_found',
        field: 'runId',
      });

      const schedule = await host.call('etl.schedule', { cron: '*/30 * * * *', timeZone: 'UTC' });
      assert.equal(schedule.description, 'every 30 minutes');
      assert.ok(schedule.nextRunAt! > Date.now() && schedule.nextRunAt! <= Date.now() + 30 * 60_000);

      // A restart on the same data: the schedule, and which run was what, are still there.
      await host.close();
      host = await Host.open(config);
      assert.deepEqual({ ...(await host.call('etl.schedule', {})), nextRunAt: null }, { ...schedule, nextRunAt: null });
      const runs = await host.call('etl.runs', { limit: 10 });
      assert.deepEqual(
        runs.map((r) => [r.runId, r.trigger, r.status]),
        [
          [again.runId, 'rerun', 'succeeded'],
          [rerun.runId, 'rerun', 'succeeded'],
          [failed.runId, 'manual', 'failed'],
        ],
      );
      assert.deepEqual(await host.call('etl.schedule', { cron: null }), {
        ...schedule,
        cron: null,
        timeZone: null,
        description: null,
        nextRunAt: null,
      });
    },
  );
}

scenario('embedded PGlite', async () => ({ input: {}, cleanup: async () => undefined }));
scenario('real PostgreSQL', async () => {
  const ext = await freshExternal();
  return { input: { postgres: ext.input.postgres }, cleanup: ext.cleanup };
});
