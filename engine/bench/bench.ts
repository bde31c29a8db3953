/**
 * npm run bench -- [--seconds S] [--rate R] [--services embedded|external] [--json]
 * npm run bench -- --backlog N [--broker embedded|kafka|both] [--json]   (see drainBench.ts)
 * npm run bench -- --etl [--sales N] [--runs R] [--warehouse pglite|postgres|both] [--cache DIR] [--json]: the ETL
 * alone (etlBench.ts)
 * Sustained end-to-end throughput of the pipeline (producer → broker → stream → silver + windows),
 * event-to-window latency, engine CPU per transaction, peak RSS, then the ETL's load rate.
 * `--services external` runs the embedded bench and then the same bench on the local real servers
 * (`npm run services:test -- up`: Kafka, moto S3, PostgreSQL, Redis), and reports them side by side.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig, type ConfigInput } from '../config';
import { Host } from '../host';
import { freshExternal } from '../testing/externalServices';
import { drainBench, printDrain, type DrainResult } from './drainBench';

interface BenchResult {
  services: 'embedded' | 'external';
  target_tps: number;
  seconds: number;
  transactions: number;
  sustained_tps: number;
  producer_tps_median: number;
  drain_after_producer_ms: number;
  latency_ms: { p50: number | null; p99: number | null };
  cpu_us_per_tx: number;
  peak_rss_mb: number;
  /** Peaks of the parts (MiB): the Host's JS heap and external memory, the stream thread's, DuckDB's, the record text the stream held. */
  peak_mb: {
    main_heap: number;
    main_external: number;
    stream_heap: number;
    stream_external: number;
    duckdb: number;
    held_text: number;
  };
  etl: { rows: number; ms: number; rows_per_s: number };
  /** Share of the whole machine's CPU time that was busy during the run (servers included). */
  machine_busy_pct: number;
  machine: { cpus: number; node: string };
}

/** Busy and total CPU jiffies of the whole machine, from /proc/stat (0/0 where there is none). */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

async function bench(
  services: BenchResult['services'],
  input: ConfigInput,
  seconds: number,
  rate: number,
): Promise<BenchResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-bench-'));
  const host = await Host.open(resolveConfig({ ...input, dataDir }));
  let peakRss = 0;
  const peak = { main_heap: 0, main_external: 0, stream_heap: 0, stream_external: 0, duckdb: 0, held_text: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peak.main_heap = Math.max(peak.main_heap, Math.round(m.heapUsed / 1048576));
    peak.main_external = Math.max(peak.main_external, Math.round(m.external / 1048576));
  }, 100);
  const producerRates: number[] = [];
  host.on('stage.status', (s) => {
    if (s.stage === 'producer' && s.state === 'running' && s.counters.rate) producerRates.push(s.counters.rate);
    if (s.stage !== 'stream') return;
    peak.stream_heap = Math.max(peak.stream_heap, s.counters.heapMb ?? 0);
    peak.stream_external = Math.max(peak.stream_external, s.counters.externalMb ?? 0);
    peak.duckdb = Math.max(peak.duckdb, s.counters.duckMb ?? 0);
    peak.held_text = Math.max(peak.held_text, s.counters.heldMb ?? 0);
  });
  try {
    await host.startStream();
    const cpu0 = process.cpuUsage();
    const machine0 = machineCpu();
    const t0 = performance.now();
    await host.startProducer({ rate, seed: 1, limit: Math.round(rate * seconds) });
    await host.producerDone();
    const tProduced = performance.now();
    await host.drainStream();
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const machine1 = machineCpu();
    const stream = (await host.call('stage.list', {})).find((s) => s.stage === 'stream')!.counters;
    const snap = await host.call('metrics.snapshot', { minutes: 60 });
    await host.stopStream();
    const e0 = performance.now();
    const etl = await host.runEtl();
    const etlMs = performance.now() - e0;
    const transactions = stream.consumed;
    producerRates.sort((a, b) => a - b);
    return {
      services,
      target_tps: rate,
      seconds,
      transactions,
      sustained_tps: Math.round(transactions / ((t1 - t0) / 1000)),
      producer_tps_median: producerRates[Math.floor(producerRates.length / 2)] ?? 0,
      drain_after_producer_ms: Math.round(t1 - tProduced),
      latency_ms: snap.latencyMs,
      cpu_us_per_tx: Math.round(((cpu.user + cpu.system) / transactions) * 10) / 10,
      peak_rss_mb: Math.round(peakRss / 1048576),
      peak_mb: peak,
      etl: { rows: etl.rowsInserted, ms: Math.round(etlMs), rows_per_s: Math.round(etl.rowsInserted / (etlMs / 1000)) },
      machine_busy_pct:
        machine1.total > machine0.total
          ? Math.round(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100)
          : 0,
      machine: { cpus: os.cpus().length, node: process.version },
    };
  } finally {
    clearInterval(sampler);
    await host.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '60000' },
    services: { type: 'string', default: 'embedded' },
    json: { type: 'boolean', default: false },
    backlog: { type: 'string' },
    broker: { type: 'string', default: 'embedded' },
    etl: { type: 'boolean', default: false },
    sales: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '1' },
    warehouse: { type: 'string', default: 'both' },
    cache: { type: 'string' },
  },
});
if (values.backlog !== undefined) {
  const sales = Number(values.backlog);
  const which = values.broker;
  if (!Number.isInteger(sales) || sales < 1 || (which !== 'embedded' && which !== 'kafka' && which !== 'both')) {
    console.error(`--backlog must be a whole number of sales and --broker embedded, kafka or both`);
    process.exit(2);
  }
  const results: DrainResult[] = [];
  for (const b of which === 'both' ? (['embedded', 'kafka'] as const) : ([which] as const))
    results.push(await drainBench(b, sales));
  if (values.json) console.log(JSON.stringify(results));
  else printDrain(results);
  process.exit(0);
}
if (values.etl) {
  const { etlBench, DEFAULT_BENCH_CACHE } = await import('./etlBench');
  const w = values.warehouse;
  if (w !== 'pglite' && w !== 'postgres' && w !== 'both') {
    console.error(`--warehouse must be pglite, postgres or both, got ${w}`);
    process.exit(2);
  }
  await etlBench({
    sales: Number(values.sales),
    runs: Number(values.runs),
    warehouses: w === 'both' ? ['pglite', 'postgres'] : [w],
    cache: values.cache ?? DEFAULT_BENCH_CACHE,
    json: values.json,
  });
  process.exit(0);
}
if (values.services !== 'embedded' && values.services !== 'external') {
  console.error(`--services must be embedded or external, got ${values.services}`);
  process.exit(2);
}
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const results = [await bench('embedded', {}, seconds, rate)];
if (values.services === 'external') {
  const external = await freshExternal();
  try {
    results.push(await bench('external', external.input, seconds, rate));
  } finally {
    await external.cleanup();
  }
}
if (values.json)
  console.log(JSON.stringify(results.length === 1 ? results[0] : { embedded: results[0], external: results[1] }));
else {
  const r0 = results[0];
  console.log(`target ${r0.target_tps} tx/s for ${r0.seconds}s on ${r0.machine.cpus} cores (${r0.machine.node})`);
  const rows: [string, (r: BenchResult) => string][] = [
    [
      'services',
      (r) =>
        r.services === 'embedded'
          ? 'embedded (log, folder, PGlite, memory)'
          : 'external (Kafka, S3, PostgreSQL, Redis)',
    ],
    ['sustained end to end', (r) => `${r.sustained_tps} tx/s (${r.transactions} tx)`],
    ['producer median', (r) => `${r.producer_tps_median} tx/s`],
    ['drain after producer', (r) => `${r.drain_after_producer_ms} ms`],
    ['event-to-window p50/p99 (from broker arrival)', (r) => `${r.latency_ms.p50} / ${r.latency_ms.p99} ms`],
    ['engine CPU', (r) => `${r.cpu_us_per_tx} µs/tx (all threads)`],
    ['machine CPU busy', (r) => `${r.machine_busy_pct}% (servers included)`],
    ['peak RSS', (r) => `${r.peak_rss_mb} MB`],
    [
      'peaks (MiB)',
      (r) =>
        `heap ${r.peak_mb.main_heap} + stream ${r.peak_mb.stream_heap}, external ${r.peak_mb.main_external} + ${r.peak_mb.stream_external}, DuckDB ${r.peak_mb.duckdb}, held ${r.peak_mb.held_text}`,
    ],
    ['ETL silver → warehouse', (r) => `${r.etl.rows} rows, ${r.etl.ms} ms (${r.etl.rows_per_s} rows/s)`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const cols = rows.map(([, f]) => results.map(f));
  const cw = Math.max(...cols.map((c) => c[0].length));
  rows.forEach(([k], i) => console.log(`  ${k.padEnd(w)}  ${cols[i].map((c) => c.padEnd(cw)).join('  ')}`));
}
