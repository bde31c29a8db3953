/**
 * npm run bench -- [--seconds S] [--rate R] [--json]
 * Sustained end-to-end throughput of the embedded pipeline (producer → log → stream → silver +
 * windows), event-to-window latency, engine CPU per transaction, peak RSS, then the ETL's load rate.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../config';
import { Host } from '../host';

interface BenchResult {
  target_tps: number;
  seconds: number;
  transactions: number;
  sustained_tps: number;
  producer_tps_median: number;
  drain_after_producer_ms: number;
  latency_ms: { p50: number | null; p99: number | null };
  cpu_us_per_tx: number;
  peak_rss_mb: number;
  etl: { rows: number; ms: number; rows_per_s: number };
  machine: { cpus: number; node: string };
}

async function bench(seconds: number, rate: number): Promise<BenchResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-bench-'));
  const host = await Host.open(resolveConfig({ dataDir }));
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const producerRates: number[] = [];
  host.on('stage.status', (s) => {
    if (s.stage === 'producer' && s.state === 'running' && s.counters.rate) producerRates.push(s.counters.rate);
  });
  try {
    await host.startStream();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await host.startProducer({ rate, seed: 1, limit: Math.round(rate * seconds) });
    await host.producerDone();
    const tProduced = performance.now();
    await host.drainStream();
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const stream = (await host.call('stage.list', {})).find((s) => s.stage === 'stream')!.counters;
    const snap = await host.call('metrics.snapshot', { minutes: 60 });
    await host.stopStream();
    const e0 = performance.now();
    const etl = await host.runEtl();
    const etlMs = performance.now() - e0;
    const transactions = stream.consumed;
    producerRates.sort((a, b) => a - b);
    return {
      target_tps: rate,
      seconds,
      transactions,
      sustained_tps: Math.round(transactions / ((t1 - t0) / 1000)),
      producer_tps_median: producerRates[Math.floor(producerRates.length / 2)] ?? 0,
      drain_after_producer_ms: Math.round(t1 - tProduced),
      latency_ms: snap.latencyMs,
      cpu_us_per_tx: Math.round(((cpu.user + cpu.system) / transactions) * 10) / 10,
      peak_rss_mb: Math.round(peakRss / 1048576),
      etl: { rows: etl.rowsInserted, ms: Math.round(etlMs), rows_per_s: Math.round(etl.rowsInserted / (etlMs / 1000)) },
      machine: { cpus: os.cpus().length, node: process.version },
    };
  } finally {
    clearInterval(sampler);
    await host.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '60000' }, json: { type: 'boolean', default: false } } });
const result = await bench(Number(values.seconds), Number(values.rate));
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(`embedded pipeline, target ${result.target_tps} tx/s for ${result.seconds}s on ${result.machine.cpus} cores (${result.machine.node})`);
  console.log(`  sustained end to end      ${result.sustained_tps} tx/s (${result.transactions} transactions; producer median ${result.producer_tps_median} tx/s; drain after producer ${result.drain_after_producer_ms} ms)`);
  console.log(`  event-to-window latency   p50 ${result.latency_ms.p50} ms, p99 ${result.latency_ms.p99} ms`);
  console.log(`  engine CPU                ${result.cpu_us_per_tx} µs per transaction (all threads)`);
  console.log(`  peak RSS                  ${result.peak_rss_mb} MB`);
  console.log(`  ETL silver → warehouse    ${result.etl.rows} rows in ${result.etl.ms} ms (${result.etl.rows_per_s} rows/s)`);
}
