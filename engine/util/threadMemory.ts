import { BroadcastChannel } from 'node:worker_threads';

/**
 * Memory by thread and by part, for benches: with RETAIL_PULSE_MEMORY_REPORTS set, each engine
 * thread that calls reportThreadMemory() posts its own JS heap and ArrayBuffers, and the
 * figures of the parts it holds (DuckDB's buffers, PGlite's WASM heap), every 200 ms on a
 * BroadcastChannel that a bench reads (bench/memoryBreakdown.ts). Off, it costs nothing.
 */
export const MEMORY_CHANNEL = 'retail-pulse-memory';

export interface ThreadMemory {
  thread: string;
  heapUsed: number;
  /** ArrayBuffers and Buffers (V8's `external` also counts WASM memories reserved but never touched). */
  arrayBuffers: number;
  /** Bytes of each part this thread holds, by name ('duckdb', 'pglite'). */
  parts: Record<string, number>;
}

/** Whether this process reports its memory (RETAIL_PULSE_MEMORY_REPORTS set: benches). */
export const memoryReports = (): boolean => Boolean(process.env.RETAIL_PULSE_MEMORY_REPORTS);
const enabled = memoryReports;
const parts: Record<string, number> = {};
const sources = new Map<string, () => number>();

/** Starts this thread's reports (nothing unless RETAIL_PULSE_MEMORY_REPORTS is set). */
export function reportThreadMemory(thread: string): void {
  if (!enabled()) return;
  const channel = new BroadcastChannel(MEMORY_CHANNEL);
  channel.unref();
  const post = (): void => {
    for (const [name, read] of sources) parts[name] = read();
    const m = process.memoryUsage();
    const report: ThreadMemory = { thread, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, parts: { ...parts } };
    channel.postMessage(report);
  };
  post();
  setInterval(post, 200).unref();
}

/** A part read at each report, synchronously: PGlite's WASM heap. */
export function memorySource(name: string, read: () => number): void {
  if (enabled()) sources.set(name, read);
}

/**
 * A part the thread measures itself at a point of its own work (DuckDB's buffers, on a side
 * connection), awaited there, so no read outlives the run: one bench run whose DuckDB was read from
 * a timer aborted with a DuckDB Napi::Error. Reports keep the most seen.
 */
export async function notePart(name: string, measure: () => Promise<number>): Promise<void> {
  if (enabled()) parts[name] = Math.max(parts[name] ?? 0, await measure());
}
