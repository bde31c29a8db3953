/**
 * npm run bench:compaction -- [--hours 24] [--rate 500] [--layers silver,bronze] [--dir DIR] [--json]
 * Lake SQL over a day of small files against the same day compacted. The day is what the stream
 * writes at `rate` sales/s (a file per partition and 5-second flush, 4 partitions), generated fast
 * (testing/dayOfFiles.ts; kept in DIR when given, and reused while uncompacted); lake SQL runs as
 * the Lake page runs it (LakeSql: its sandboxed DuckDB, one thread, views over the files listed at
 * each query). Each step runs in a process of its own, so each peak RSS is its own. Medians of 3.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LakeCounter } from '../lakeBrowser/lakeCounts';
import { LakeSql, openLakeSqlDuck } from '../lakeBrowser/lakeSql';
import { openDuck } from '../services/lake/duck';
import { FolderLake } from '../services/lake/folderLake';
import { LAYERS } from '../services/lake/keys';
import { compactLake } from './compactor';
import { visibleKeys } from './lakeView';
import { writeDay } from './testing/dayOfFiles';

/** The Lake page's kind of questions; one hour's is the last hour's. */
const queries = (o: Options): Record<string, string> => ({
  'count the day (silver)': 'SELECT count(*) FROM silver',
  'revenue by city and category (silver)':
    'SELECT city, category, round(sum(line_amount), 2) AS revenue FROM silver GROUP BY ALL ORDER BY revenue DESC',
  'top 10 products of one hour (silver)': `SELECT product_name, sum(quantity) AS units FROM silver WHERE hour = '${String(o.hours - 1).padStart(2, '0')}' GROUP BY ALL ORDER BY units DESC LIMIT 10`,
  'records per hour (bronze)': 'SELECT hour, count(*) AS records FROM bronze GROUP BY ALL ORDER BY hour',
});
const DATE = '2026-03-02';
const SELF = fileURLToPath(import.meta.url);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}
const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function measure(lake: FolderLake, root: string, o: Options): Promise<Measured> {
  const layers = o.layers;
  const sql = new LakeSql(lake, await openLakeSqlDuck([root]));
  const timings: Measured['queries'] = {};
  for (const [name, text] of Object.entries(queries(o))) {
    if (!layers.some((l) => text.includes(`FROM ${l}`))) continue;
    const runs: number[] = [];
    let rows: unknown[] | null = null;
    for (let i = 0; i < 3; i++) {
      const r = await timed(() => sql.query(text, 1000));
      runs.push(Math.round(r.ms));
      rows ??= r.value.rows;
    }
    timings[name] = { ms: median(runs), runs, rows: rows ?? [] };
  }
  const counts = await timed(() => new LakeCounter(lake).counts());
  const files: Record<string, number> = {};
  for (const l of layers) files[l] = (await visibleKeys(lake, LAYERS[l])).length;
  return { queries: timings, lakeCountsFirstReadMs: Math.round(counts.ms), files, peakRssMiB: rss() };
}

/** One step in this process; prints its JSON on the last line. */
async function step(name: string, dir: string, o: Options) {
  const root = path.join(dir, 'lake');
  const lake = new FolderLake(root);
  let out: unknown;
  if (name === 'generate') {
    const duck = await openDuck({ threads: 2 });
    const g = await timed(() => writeDay(lake, duck, { date: DATE, ...o, partitions: 4, flushSeconds: 5 }, root));
    const bytes = (await lake.list('')).filter((x) => x.key.endsWith('.parquet')).reduce((s, x) => s + x.size, 0);
    out = { files: g.value, seconds: Math.round(g.ms / 1000), gib: Number((bytes / 2 ** 30).toFixed(2)) };
  } else if (name === 'measure') out = await measure(lake, root, o);
  else {
    // As the app's compaction worker runs: one DuckDB thread, 512 MB for DuckDB.
    const duck = await openDuck({ threads: 1 });
    await duck.run("SET memory_limit = '512MB'");
    // Silver as if the ETL had loaded it (this measures the lake, not the warehouse).
    const loaded = await visibleKeys(lake, LAYERS.silver);
    const deps = { lake, duck, loadedFiles: async () => loaded };
    const run = await timed(() => compactLake(deps, { settleMs: 0 }));
    if (run.value.status !== 'succeeded') throw new Error(run.value.error);
    const clean = await timed(() => compactLake(deps, { settleMs: 0, graceMs: 0 }));
    out = {
      seconds: Math.round(run.ms / 1000),
      layers: run.value.layers,
      cleanupSeconds: Math.round(clean.ms / 1000),
      cleaned: clean.value.cleaned,
      peakRssMiB: rss(),
    };
  }
  console.log(JSON.stringify(out));
}

function child<T>(name: string, args: string[]): T {
  console.error(`${name}…`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--step', name, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${name} failed (${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}

interface Options {
  hours: number;
  rate: number;
  layers: ('bronze' | 'silver')[];
}
interface Generated {
  files: number;
  seconds: number;
  gib: number;
}
interface Measured {
  queries: Record<string, { ms: number; runs: number[]; rows: unknown[] }>;
  lakeCountsFirstReadMs: number;
  files: Record<string, number>;
  peakRssMiB: number;
}
interface Compacted {
  seconds: number;
  layers: Record<string, { filesIn: number; filesOut: number; bytesIn: number; bytesOut: number; rows: number }>;
  cleanupSeconds: number;
  cleaned: number;
  peakRssMiB: number;
}

const n = (x: number) => x.toLocaleString('en-US');
const mib = (b: number) => b / 2 ** 20;

function print(o: Options, generated: Generated, before: Measured, compaction: Compacted, after: Measured) {
  const perHour = o.rate * 3600;
  console.log(
    `Lake SQL over ${o.hours} hour(s) of the lake as the stream writes it at ${n(o.rate)} sales/s ` +
      `(${n(perHour)} sales an hour; ${n(generated.files)} files, ${generated.gib} GiB, generated in ${generated.seconds} s)`,
  );
  console.log(`${'query (median of 3)'.padEnd(40)} ${'small files'.padStart(12)} ${'compacted'.padStart(10)}  ratio`);
  for (const [name, b] of Object.entries(before.queries)) {
    const a = after.queries[name];
    const ratio = b.ms / Math.max(1, a.ms);
    console.log(
      `${name.padEnd(40)} ${`${n(b.ms)} ms`.padStart(12)} ${`${n(a.ms)} ms`.padStart(10)}  ${ratio.toFixed(1)}x`,
    );
  }
  const counts = [before.lakeCountsFirstReadMs, after.lakeCountsFirstReadMs];
  console.log(
    `${'lake counts, first read'.padEnd(40)} ${`${n(counts[0])} ms`.padStart(12)} ${`${n(counts[1])} ms`.padStart(10)}`,
  );
  console.log(
    `${'files read'.padEnd(40)} ${n(Object.values(before.files).reduce((s, x) => s + x, 0)).padStart(12)} ${n(Object.values(after.files).reduce((s, x) => s + x, 0)).padStart(10)}`,
  );
  console.log(
    `${'peak RSS of the lake SQL process'.padEnd(40)} ${`${n(before.peakRssMiB)} MiB`.padStart(12)} ${`${n(after.peakRssMiB)} MiB`.padStart(10)}`,
  );
  const layers = Object.entries(compaction.layers).filter(([, l]) => l.filesIn > 0);
  const bytesIn = layers.reduce((s, [, l]) => s + l.bytesIn, 0);
  const rows = layers.reduce((s, [, l]) => s + l.rows, 0);
  const filesIn = layers.reduce((s, [, l]) => s + l.filesIn, 0);
  const secs = Math.max(1, compaction.seconds);
  console.log(
    `Compaction (one DuckDB thread, 512 MB for DuckDB): ${compaction.seconds} s, ` +
      `${n(Math.round(filesIn / secs))} files/s, ${mib(bytesIn / secs).toFixed(1)} MiB/s, ${n(Math.round(rows / secs))} rows/s; ` +
      `peak RSS ${n(compaction.peakRssMiB)} MiB; then ${n(compaction.cleaned)} replaced files deleted in ${compaction.cleanupSeconds} s`,
  );
  for (const [layer, l] of layers)
    console.log(
      `  ${layer.padEnd(10)} ${n(l.filesIn)} files (${mib(l.bytesIn).toFixed(0)} MiB) -> ${n(l.filesOut)} ` +
        `(${mib(l.bytesOut).toFixed(0)} MiB), ${n(l.rows)} rows`,
    );
  console.log(
    `Load average (1, 5, 15 min) at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')} on ${os.cpus().length} cores`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hours: { type: 'string', default: '24' },
      rate: { type: 'string', default: '500' },
      layers: { type: 'string', default: 'silver,bronze' },
      dir: { type: 'string' },
      step: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const o: Options = {
    hours: Number(values.hours),
    rate: Number(values.rate),
    layers: values.layers.split(',') as ('bronze' | 'silver')[],
  };
  if (!(o.hours >= 1 && o.hours <= 24) || !(o.rate > 0) || !o.layers.every((l) => l === 'bronze' || l === 'silver'))
    throw new Error('--hours is 1 to 24, --rate a positive number, --layers silver and/or bronze');
  const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rp-compaction-bench-'));
  if (values.step) return step(values.step, dir, o);
  const args = ['--dir', dir, '--hours', String(o.hours), '--rate', String(o.rate), '--layers', values.layers];
  const made = path.join(dir, 'generated.json');
  if (!fs.existsSync(made)) fs.writeFileSync(made, JSON.stringify(child<Generated>('generate', args)));
  const generated = JSON.parse(fs.readFileSync(made, 'utf8')) as Generated;
  const before = child<Measured>('measure', args);
  const compaction = child<Compacted>('compact', args);
  fs.rmSync(made);
  const after = child<Measured>('measure', args);
  for (const name of Object.keys(before.queries)) {
    if (JSON.stringify(before.queries[name].rows) !== JSON.stringify(after.queries[name].rows))
      throw new Error(`${name}: the compacted day answers differently`);
    if (before.queries[name].rows.length === 0) throw new Error(`${name}: no rows (the query misses the data)`);
  }
  if (values.json)
    console.log(
      JSON.stringify(
        { ...o, generated, before, compaction, after, load: os.loadavg() },
        (k, v: unknown) => (k === 'rows' && Array.isArray(v) ? undefined : v),
        2,
      ),
    );
  else print(o, generated, before, compaction, after);
  if (!values.dir) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
