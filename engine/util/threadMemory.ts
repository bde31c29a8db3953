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

const enabled = (): boolean => Boolean(process.env.RETAIL_PULSE_MEMORY_REPORTS);
const parts: Record<string, number> = {};
const sources = new Map<string, () => Promise<number>>();

/** Starts this thread's reports (nothing unless RETAIL_PULSE_MEMORY_REPORTS is set). */
export function reportThreadMemory(thread: string): void {
  if (!enabled()) return;
  const channel = new BroadcastChannel(MEMORY_CHANNEL);
  channel.unref();
  const post = async (): Promise<void> => {
    for (const [name, read] of sources) parts[name] = await read().catch(() => 0);
    const m = process.memoryUsage();
    const report: ThreadMemory = { thread, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, parts: { ...parts } };
    channel.postMessage(report);
  };
  let posting: Promise<void> | null = null;
  const tick = (): void => void (posting ??= post().finally(() => (posting = null)));
  tick();
  setInterval(tick, 200).unref();
}

/** A part read at each report: PGlite's WASM heap, DuckDB's buffers. */
export function memorySource(name: string, read: () => Promise<number>): void {
  if (enabled()) sources.set(name, read);
}
