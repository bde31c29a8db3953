/**
 * npm run bench -- --backlog N [--broker embedded|kafka|both] [--json]
 * Drains a pre-filled log of N sales (see backlog.ts) through stream → bronze + silver + windows
 * and reports sales/s, lines/s, CPU per sale by thread, where the stream's time goes, and peak RSS
 * with its breakdown. `kafka`: the local real Kafka (`npm run services:test -- up kafka`), the lake
 * and windows embedded as in the embedded run, so the two differ by the broker alone.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig, type ConfigInput } from '../config';
import { Host } from '../host';
import { threadCpuMs } from '../stages/stream/streamCounters';
import { testService } from '../testing/realServices';
import type { Backlog } from './backlog';

const BACKLOG_SCRIPT = fileURLToPath(new URL('./backlog.ts', import.meta.url));

const MB = 1 << 20;
/** An experiment's override of the stream's byte cap (RETAIL_PULSE_BENCH_FLUSH_MIB). */
const FLUSH_MIB = Number(process.env.RETAIL_PULSE_BENCH_FLUSH_MIB ?? 0);

export interface DrainResult {
  broker: 'embedded' | 'kafka';
  sales: number;
  lines: number;
  fill_ms: number;
  drain_ms: number;
  sales_per_s: number;
  lines_per_s: number;
  /** CPU µs per sale: the stream's thread, the Host's (main) thread, every other thread (DuckDB, GC, libuv, other workers). */
  cpu_us_per_sale: { stream: number; main: number; other: number; total: number };
  /** Share of the drain's wall time the stream spent in each step (appends and COPYs run beside the polling). */
  time_pct: { broker_poll: number; parse_validate: number; duckdb_append: number; parquet_copy: number };
  /** Peak RSS while the stream ran, and the peak of each part (MiB). */
  peak_rss_mb: number;
  rss_before_stream_mb: number;
  peak_mb: {
    main_heap: number;
    main_external: number;
    stream_heap: number;
    stream_external: number;
    duckdb: number;
    held_text: number;
  };
  machine: { cpus: number; node: string; loadavg_1m: number };
}

export async function drainBench(broker: DrainResult['broker'], sales: number): Promise<DrainResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-drain-'));
  const input: ConfigInput =
    broker === 'kafka' ? { kafka: testService('kafka'), topic: `drain-${randomUUID().slice(0, 8)}` } : {};
  const config = resolveConfig({ ...input, dataDir });
  // Filled by another process: this one starts without the fill's memory, as an app opening a backlog does.
  const fill = spawnSync(
    process.execPath,
    ['--import', 'tsx', BACKLOG_SCRIPT, JSON.stringify({ ...input, dataDir }), String(sales)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (fill.status !== 0) throw new Error(`filling the backlog failed: ${fill.stderr}`);
  const backlog = JSON.parse(fill.stdout) as Backlog;
  const host = await Host.open(config);
  const peak = { rss: 0, main_heap: 0, main_external: 0, stream_heap: 0, stream_external: 0, duckdb: 0, held_text: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.main_heap = Math.max(peak.main_heap, m.heapUsed / MB);
    peak.main_external = Math.max(peak.main_external, m.external / MB);
  };
  let streamCpuMs = 0;
  host.on('stage.status', (s) => {
    if (s.stage !== 'stream') return;
    const c = s.counters;
    peak.stream_heap = Math.max(peak.stream_heap, c.heapMb ?? 0);
    peak.stream_external = Math.max(peak.stream_external, c.externalMb ?? 0);
    peak.duckdb = Math.max(peak.duckdb, c.duckMb ?? 0);
    peak.held_text = Math.max(peak.held_text, c.heldMb ?? 0);
    streamCpuMs = Math.max(streamCpuMs, c.cpuMs ?? 0);
  });
  try {
    const rssBefore = process.memoryUsage().rss;
    const sampler = setInterval(sample, 50);
    const cpu0 = process.cpuUsage();
    const main0 = threadCpuMs();
    const t0 = performance.now();
    await host.startStream(FLUSH_MIB ? { flushBytes: FLUSH_MIB << 20 } : {});
    await host.drainStream();
    const drainMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const mainMs = threadCpuMs() - main0;
    clearInterval(sampler);
    sample();
    const c = (await host.call('stage.list', {})).find((s) => s.stage === 'stream')!.counters;
    streamCpuMs = Math.max(streamCpuMs, c.cpuMs ?? 0);
    if (c.valid !== sales)
      throw new Error(`the stream accepted ${c.valid} of ${sales} sales (${c.quarantined} quarantined)`);
    await host.stopStream();
    const totalMs = (cpu.user + cpu.system) / 1000;
    const us = (ms: number) => Math.round((ms * 1000) / sales);
    const pct = (ms: number) => Math.round((ms / drainMs) * 100);
    return {
      broker,
      sales,
      lines: backlog.lines,
      fill_ms: backlog.fillMs,
      drain_ms: Math.round(drainMs),
      sales_per_s: Math.round(sales / (drainMs / 1000)),
      lines_per_s: Math.round(backlog.lines / (drainMs / 1000)),
      cpu_us_per_sale: {
        stream: us(streamCpuMs),
        main: us(mainMs),
        other: us(Math.max(0, totalMs - streamCpuMs - mainMs)),
        total: us(totalMs),
      },
      time_pct: {
        broker_poll: pct(c.pollMs),
        parse_validate: pct(c.validateMs),
        duckdb_append: pct(c.appendMs),
        parquet_copy: pct(c.copyMs),
      },
      peak_rss_mb: Math.round(peak.rss / MB),
      rss_before_stream_mb: Math.round(rssBefore / MB),
      peak_mb: Object.fromEntries(
        Object.entries(peak)
          .filter(([k]) => k !== 'rss')
          .map(([k, v]) => [k, Math.round(v)]),
      ) as DrainResult['peak_mb'],
      machine: { cpus: os.cpus().length, node: process.version, loadavg_1m: os.loadavg()[0] },
    };
  } finally {
    await host.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printDrain(results: DrainResult[]): void {
  for (const r of results) {
    console.log(
      `drain of ${r.sales.toLocaleString('en-US')} sales (${r.lines.toLocaleString('en-US')} lines), ${r.broker} broker, ${r.machine.cpus} cores (${r.machine.node}, load ${r.machine.loadavg_1m.toFixed(1)})`,
    );
    const rows: [string, string][] = [
      ['drain', `${r.drain_ms} ms: ${r.sales_per_s} sales/s, ${r.lines_per_s} lines/s (fill ${r.fill_ms} ms)`],
      [
        'CPU µs per sale',
        `stream ${r.cpu_us_per_sale.stream}, main ${r.cpu_us_per_sale.main}, other threads ${r.cpu_us_per_sale.other}, total ${r.cpu_us_per_sale.total}`,
      ],
      [
        'stream time (% of wall)',
        `broker poll ${r.time_pct.broker_poll}, JSON parse + validation ${r.time_pct.parse_validate}, DuckDB appends ${r.time_pct.duckdb_append}, Parquet COPY ${r.time_pct.parquet_copy}`,
      ],
      ['peak RSS', `${r.peak_rss_mb} MB (${r.rss_before_stream_mb} MB before the stream started)`],
      [
        'peaks (MiB)',
        `main heap ${r.peak_mb.main_heap}, main external ${r.peak_mb.main_external}, stream heap ${r.peak_mb.stream_heap}, stream external ${r.peak_mb.stream_external}, DuckDB ${r.peak_mb.duckdb}, held record text ${r.peak_mb.held_text}`,
      ],
    ];
    for (const [k, v] of rows) console.log(`  ${k.padEnd(24)}  ${v}`);
  }
}
