/**
 * npm run bench -- --etl [--sales N] [--runs R] [--warehouse pglite|postgres|both] [--cache DIR] [--json]
 * The ETL's load rate and memory: `sales` seeded sales (about 4 lines each) written once as silver
 * by the stream's own writer (etlSilver.ts, kept in --cache), then each run in a process of its own
 * (etlRun.ts): a new data dir, the Host opened on it as the app opens it, one ETL of every line
 * into a new warehouse (PGlite, or a new database on the test PostgreSQL), checked. Prints rows/s
 * (median of the runs), the open and load times, and peak RSS with its breakdown.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { clusterTemplate, makeClusterTemplate } from '../services/warehouse/pgliteCluster';
import { testService } from '../testing/realServices';
import { formatBreakdown } from './memoryBreakdown';
import type { EtlRunInput, EtlRunResult } from './etlRun';
import { preparedSilver } from './etlSilver';

export interface EtlBenchOptions {
  sales: number;
  runs: number;
  warehouses: ('pglite' | 'postgres')[];
  cache: string;
  json: boolean;
}

const RUNNER = new URL('./etlRun.ts', import.meta.url);

function runOnce(input: EtlRunInput): Promise<EtlRunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER.pathname, JSON.stringify(input)], {
    env: { ...process.env, RETAIL_PULSE_MEMORY_REPORTS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as EtlRunResult)
        : reject(new Error(`the ETL run failed (exit code ${code})`)),
    );
  });
}

/**
 * CPU time (ms) of a local PostgreSQL: the postmaster, the children it has reaped and the ones alive
 * (its first line of postmaster.pid names it). Null when the server is not a local process here.
 */
function serverCpuMs(url: string): number | null {
  const pidFile = path.resolve('.services/postgres/pg/data/postmaster.pid');
  if (!fs.existsSync(pidFile) || !/127\.0\.0\.1|localhost/.test(url)) return null;
  const pid = fs.readFileSync(pidFile, 'utf8').split('\n')[0].trim();
  const stat = (p: string): string[] | null => {
    try {
      const text = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null;
    }
  };
  const own = stat(pid);
  if (!own) return null;
  // Fields after the name: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime (clock ticks).
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const f = stat(p);
    if (f && f[1] === pid) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * 10; // 100 ticks a second on Linux
}

/** A new, empty database on the test PostgreSQL for one run, dropped after it. */
async function withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
  const admin = new URL(testService('postgres'));
  const name = `rp_etl_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const sql = async (q: string): Promise<void> => {
    const c = new pg.Client({ connectionString: admin.href });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await sql(`CREATE DATABASE ${name}`);
  const url = new URL(admin.href);
  url.pathname = `/${name}`;
  try {
    return await use(url.href);
  } finally {
    await sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The engine process's CPU per loaded row (all threads; a PostgreSQL server's own CPU is not in it). */
const cpuPerRow = (r: EtlRunResult): number => Math.round((r.etl_cpu_ms * 1000 * 10) / r.rows) / 10;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function etlBench(o: EtlBenchOptions): Promise<void> {
  const t0 = performance.now();
  const silver = await preparedSilver(o.cache, o.sales);
  const prepMs = performance.now() - t0;
  if (!o.json)
    console.log(
      `silver: ${silver.sales} sales, ${silver.lines} lines in ${silver.files} files (${prepMs > 1000 ? `written in ${Math.round(prepMs / 1000)} s` : 'cached'}) on ${os.cpus().length} cores, ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`,
    );
  if (o.warehouses.includes('pglite') && !fs.existsSync(clusterTemplate()))
    await makeClusterTemplate(clusterTemplate());
  const all: Record<string, EtlRunResult[]> = {};
  for (const w of o.warehouses) {
    const runs: EtlRunResult[] = [];
    for (let i = 0; i < o.runs; i++) {
      const input = { lake: silver.lake, lines: silver.lines, cents: silver.cents };
      const r =
        w === 'postgres'
          ? await withDatabase(async (url) => {
              const before = serverCpuMs(url);
              const run = await runOnce({ ...input, postgres: url });
              const after = serverCpuMs(url);
              return before === null || after === null ? run : { ...run, server_cpu_ms: after - before };
            })
          : await runOnce(input);
      runs.push(r);
      if (!o.json)
        console.log(
          `  ${w} run ${i + 1}: ${r.rows_per_s} rows/s (${r.rows} rows in ${r.etl_ms} ms, open ${r.open_ms} ms; engine CPU ${cpuPerRow(r)} µs/row), peak RSS ${formatBreakdown(r.peak)}, load average ${os.loadavg()[0].toFixed(1)}`,
        );
    }
    all[w] = runs;
  }
  if (o.json) {
    console.log(JSON.stringify({ silver, runs: all }));
    return;
  }
  for (const [w, runs] of Object.entries(all)) {
    const m = runs.find((r) => r.rows_per_s === median(runs.map((x) => x.rows_per_s)))!;
    console.log(`${w}: median ${m.rows_per_s} rows/s of ${runs.map((r) => r.rows_per_s).join(', ')}`);
    if (m.server_cpu_ms !== undefined)
      console.log(
        `  PostgreSQL server CPU: ${Math.round((m.server_cpu_ms * 1000 * 10) / m.rows) / 10} µs/row (open, load, gold and close)`,
      );
    console.log(
      `  engine CPU (every thread of the app's process: DuckDB, encoding${w === 'pglite' ? ', PGlite' : ''}): ${cpuPerRow(m)} µs/row, ${Math.round(m.rows / (m.etl_cpu_ms / 1000))} rows per CPU-second`,
    );
    console.log(`  open (new data dir): ${m.open_ms} ms, peak ${formatBreakdown(m.open_peak)}`);
    console.log(`  ETL: peak ${formatBreakdown(m.peak)}`);
    console.log(
      `  phases: ${Object.entries(m.phases_ms)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(', ')}; whole run peak RSS ${Math.max(...runs.map((r) => r.peak.rss))} MB (max of the runs)`,
    );
  }
}

export const DEFAULT_BENCH_CACHE = path.join(os.tmpdir(), 'retail-pulse-bench');
