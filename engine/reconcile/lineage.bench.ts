/**
 * Lineage drill-down, reconciliation and the Live range on a lake of about a million sales:
 *   node --import tsx engine/reconcile/lineage.bench.ts [--sales N] [--etl] [--json]
 * Writes N sales spread over the last 24 hours as NDJSON (engine/testing/salesFiles.ts), imports
 * them with `npm run import`, drains them into the lake (and loads the warehouse with --etl), then
 * times, in a fresh Host: lineage.minute cold (the lake worker starts, bronze footers are read) and
 * warm (median of 3 other points), reconcile.report cold and warm, metrics.range of 24 h from
 * silver cold and warm and with a store filter. Prints peak RSS. Not a test: run it once, by hand.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../config';
import { Host } from '../host';
import { writeSalesFiles } from '../testing/salesFiles';

const { values } = parseArgs({
  options: {
    sales: { type: 'string', default: '1000000' },
    etl: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.sales);
const DAY = 86_400_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-lineage-bench-'));
const log = (s: string) => process.stderr.write(`${s}\n`);
const time = async <T>(run: () => Promise<T>): Promise<[number, T]> => {
  const t = performance.now();
  const v = await run();
  return [Math.round(performance.now() - t), v];
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const now = Date.now();
  const files = writeSalesFiles(path.join(dir, 'sales'), {
    count: N,
    seed: 7,
    from: now - DAY,
    stepMs: DAY / N,
    only: ['ndjson'],
  });
  log(`wrote ${files.transactions} sales, ${files.lines} lines`);
  const dataDir = path.join(dir, 'data');
  const imported = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'engine/cli.ts', 'import', files.ndjson, '--data-dir', dataDir],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (imported.status !== 0) throw new Error('import failed');
  fs.rmSync(files.ndjson);
  const config = resolveConfig({ dataDir });
  let host = await Host.open(config);
  const [drainMs] = await time(async () => {
    await host.startStream();
    await host.drainStream();
    await host.stopStream();
  });
  log(`drained in ${drainMs} ms`);
  if (values.etl) {
    const [etlMs, etl] = await time(() => host.runEtl());
    log(`etl ${etl.status} in ${etlMs} ms`);
  }
  // Points to trace: (store, minute) pairs spread over the day, from silver itself.
  const points = (
    await host.call('lake.query', {
      sql: `SELECT DISTINCT store_id, m FROM (SELECT store_id, (epoch_ms(event_time) // 60000) * 60000 AS m FROM silver
            WHERE hash(transaction_id) % 100 = 7) ORDER BY hash(m + store_id) LIMIT 4`,
    })
  ).rows.map(([s, m]) => ({ storeId: Number(s), minute: Number(m) }));
  await host.close();

  // A fresh Host, as after a start: the first drill-down starts the lake worker and reads the footers.
  host = await Host.open(config);
  const [lineageCold, first] = await time(() => host.call('lineage.minute', { ...points[0], limit: 50 }));
  const warm: number[] = [];
  for (const p of points.slice(1)) warm.push((await time(() => host.call('lineage.minute', { ...p, limit: 50 })))[0]);
  const [reportCold, report] = await time(() => host.call('reconcile.report', {}));
  const [reportWarm] = await time(() => host.call('reconcile.report', {}));
  const [rangeCold, range] = await time(() => host.call('metrics.range', { minutes: 1440 }));
  const [rangeWarm] = await time(() => host.call('metrics.range', { minutes: 1440 }));
  const [rangeStore] = await time(() => host.call('metrics.range', { minutes: 1440, stores: [points[0].storeId] }));
  await host.close();
  const result = {
    sales: N,
    silverFiles: report.layers.find((l) => l.layer === 'silver')!.files,
    bronzeFiles: report.layers.find((l) => l.layer === 'bronze')!.files,
    lineage: {
      coldMs: lineageCold,
      warmMedianMs: median(warm),
      warmMs: warm,
      salesInMinute: first.silver.sales,
      withBronze: first.sales.filter((s) => s.bronze).length,
    },
    report: { coldMs: reportCold, warmMs: reportWarm, states: report.checks.map((c) => c.state) },
    range24h: { coldMs: rangeCold, warmMs: rangeWarm, oneStoreMs: rangeStore, minutes: range.windows.length },
    drainMs,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
  };
  if (values.json) console.log(JSON.stringify(result));
  else console.log(result);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
