import { BroadcastChannel } from 'node:worker_threads';
import { MEMORY_CHANNEL, type ThreadMemory } from '../util/threadMemory';

/** MB, rounded. */
const mb = (bytes: number): number => Math.round(bytes / 1048576);

/**
 * What the process held at its peak RSS, by part (MB): JS heaps of every thread, external
 * (ArrayBuffers and Buffers; V8's own `external` figure also counts WASM memories that are reserved
 * but never touched, such as the SQL parser's, so it can exceed RSS), DuckDB's buffers, PGlite's
 * WASM heap, and `other`: the rest (code, WASM modules, stacks, native allocations, allocator slack).
 */
export interface MemoryBreakdown {
  rss: number;
  js_heap: number;
  external: number;
  duckdb: number;
  pglite: number;
  other: number;
  /** Each thread's JS heap and ArrayBuffers (MB), the Host's thread as 'host'. */
  threads?: Record<string, [heap: number, external: number]>;
}

/**
 * Samples this process's RSS every 50 ms and keeps the breakdown at its peak, from this thread's
 * own figures and the reports of the engine's threads (RETAIL_PULSE_MEMORY_REPORTS must be set
 * before they start: threadMemory.ts). DuckDB's figure is the most its buffer manager held after a
 * chunk's query; PGlite's is its WASM heap, which only grows.
 */
export class MemoryPeak {
  private threads = new Map<string, ThreadMemory>();
  private channel = new BroadcastChannel(MEMORY_CHANNEL);
  private timer: NodeJS.Timeout;
  peak: MemoryBreakdown = { rss: 0, js_heap: 0, external: 0, duckdb: 0, pglite: 0, other: 0 };

  constructor() {
    this.channel.onmessage = (e: unknown) => {
      const r = (e as { data: ThreadMemory }).data;
      this.threads.set(r.thread, r);
    };
    this.timer = setInterval(() => this.sample(), 50);
  }

  sample(): void {
    const own = process.memoryUsage();
    if (own.rss <= this.peak.rss * 1048576) return;
    let heap = own.heapUsed;
    let external = own.arrayBuffers;
    const parts: Record<string, number> = {};
    const threads: Record<string, [number, number]> = { host: [mb(own.heapUsed), mb(own.arrayBuffers)] };
    for (const t of this.threads.values()) {
      threads[t.thread] = [mb(t.heapUsed), mb(t.arrayBuffers)];
      heap += t.heapUsed;
      // PGlite's WASM heap is an ArrayBuffer too: counted once, as PGlite.
      external += Math.max(0, t.arrayBuffers - (t.parts.pglite ?? 0));
      for (const [k, v] of Object.entries(t.parts)) parts[k] = (parts[k] ?? 0) + v;
    }
    const duckdb = parts.duckdb ?? 0;
    const pglite = parts.pglite ?? 0;
    this.peak = {
      rss: mb(own.rss),
      js_heap: mb(heap),
      external: mb(external),
      duckdb: mb(duckdb),
      pglite: mb(pglite),
      other: mb(own.rss - heap - external - duckdb - pglite),
      threads,
    };
  }

  /** Starts a new peak (a new phase). */
  reset(): MemoryBreakdown {
    this.sample();
    const last = this.peak;
    this.peak = { rss: 0, js_heap: 0, external: 0, duckdb: 0, pglite: 0, other: 0 };
    return last;
  }

  stop(): void {
    clearInterval(this.timer);
    this.channel.close();
  }
}

export function formatBreakdown(b: MemoryBreakdown): string {
  return `${b.rss} MB (JS heap ${b.js_heap}, external ${b.external}, DuckDB ${b.duckdb}, PGlite ${b.pglite}, other ${b.other})`;
}
