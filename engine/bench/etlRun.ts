/**
 * One ETL benchmark run, in a process of its own so its peak RSS is its own (etlBench.ts starts it):
 * a new data dir whose lake holds the prepared silver (hard links), the Host opened on it as the app
 * opens it, one ETL run of every line into the warehouse, checked, then one JSON line on stdout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paths, resolveConfig } from '../config';
import { Host } from '../host';
import { MemoryPeak, type MemoryBreakdown } from './memoryBreakdown';

export interface EtlRunInput {
  lake: string;
  lines: number;
  cents: number;
  /** A PostgreSQL database to load (empty); PGlite in the data dir when absent. */
  postgres?: string;
}

export interface EtlRunResult {
  warehouse: 'pglite' | 'postgres';
  rows: number;
  files: number;
  /** Host.open: the warehouse worker opening (PGlite: making from the template) its warehouse. */
  open_ms: number;
  etl_ms: number;
  rows_per_s: number;
  /** CPU time of the whole process (every thread) during the ETL: PGlite's work included, a server's not. */
  etl_cpu_ms: number;
  /** CPU of the local test PostgreSQL during the run, when etlBench.ts can read it. */
  server_cpu_ms?: number;
  /** Peak RSS while the Host opened, and while the ETL ran, by part (MB). */
  open_peak: MemoryBreakdown;
  peak: MemoryBreakdown;
  /** How long each phase of the run took (planning: listing silver, counting rows, syncing the catalog). */
  phases_ms: Record<string, number>;
}

/** Every file under `from` hard-linked under `to` (the same bytes, nothing copied). */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) linkTree(path.join(from, e.name), path.join(to, e.name));
    else fs.linkSync(path.join(from, e.name), path.join(to, e.name));
  }
}

async function main(input: EtlRunInput): Promise<EtlRunResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-etl-bench-'));
  const config = resolveConfig({ dataDir, ...(input.postgres ? { postgres: input.postgres } : {}) });
  linkTree(input.lake, paths.lake(config));
  const memory = new MemoryPeak();
  try {
    const o0 = performance.now();
    const host = await Host.open(config);
    const openMs = performance.now() - o0;
    const openPeak = memory.reset();
    try {
      const phases: Record<string, number> = {};
      let phase = { name: 'start', at: performance.now() };
      host.on('etl.progress', (p) => {
        if (p.phase === phase.name) return;
        const now = performance.now();
        phases[phase.name] = Math.round(now - phase.at);
        phase = { name: p.phase, at: now };
      });
      const e0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await host.runEtl();
      const etlMs = performance.now() - e0;
      const cpu = process.cpuUsage(cpu0);
      memory.sample();
      if (r.status !== 'succeeded') throw new Error(`the ETL failed: ${r.error}`);
      const totals = await host.warehouse.totals();
      if (r.rowsInserted !== input.lines || totals.factRows !== input.lines)
        throw new Error(`loaded ${r.rowsInserted} rows (${totals.factRows} in fact_sales), expected ${input.lines}`);
      if (Math.round(totals.revenue * 100) !== input.cents)
        throw new Error(`revenue ${totals.revenue} in the warehouse, ${input.cents / 100} in silver`);
      return {
        warehouse: input.postgres ? 'postgres' : 'pglite',
        rows: r.rowsInserted,
        files: r.files,
        open_ms: Math.round(openMs),
        etl_ms: Math.round(etlMs),
        rows_per_s: Math.round(r.rowsInserted / (etlMs / 1000)),
        etl_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
        open_peak: openPeak,
        peak: memory.peak.rss > openPeak.rss ? memory.peak : openPeak,
        phases_ms: phases,
      };
    } finally {
      await host.close();
    }
  } finally {
    memory.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main(JSON.parse(process.argv[2]) as EtlRunInput).then(
  (r) => console.log(JSON.stringify(r)),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
