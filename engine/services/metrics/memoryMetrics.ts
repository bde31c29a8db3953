import type { Metrics, MetricsBatch, MetricsTotals, WindowDelta, WindowView } from './port';
import { addCounts, batchTotals, emptyTotals, emptyWindow, mergeWindow, RETAIN_WINDOWS, windowView } from './windows';

/** The embedded speed layer: windows in a Map, the same operations as the Redis adapter. */
export class MemoryMetrics implements Metrics {
  readonly kind = 'memory' as const;
  private readonly windowsByStart = new Map<number, WindowDelta>();
  private totalsState: MetricsTotals = emptyTotals();

  async apply(batch: MetricsBatch): Promise<boolean> {
    const applied = this.totalsState.applied[batch.partition] ?? -1;
    if (batch.lastOffset <= applied) return false;
    for (const d of batch.windows) mergeWindow(this.window(d.start), d);
    const t = this.totalsState;
    const added = batchTotals(batch);
    t.transactions += added.transactions;
    t.revenueCents += added.revenueCents;
    t.lateRecords += batch.late.records;
    t.lateRevenueCents += batch.late.revenueCents;
    addCounts(t.latency, batch.latency);
    t.applied[batch.partition] = batch.lastOffset;
    t.since[batch.partition] ??= batch.firstOffset;
    this.evict();
    return true;
  }

  async windows(sinceMs: number): Promise<WindowView[]> {
    return [...this.windowsByStart.values()]
      .filter((w) => w.start >= sinceMs)
      .sort((a, b) => a.start - b.start)
      .map((w) => windowView(structuredClone(w)));
  }

  async totals(): Promise<MetricsTotals> {
    let oldest: number | null = null;
    let newest: number | null = null;
    for (const start of this.windowsByStart.keys()) {
      if (oldest === null || start < oldest) oldest = start;
      if (newest === null || start > newest) newest = start;
    }
    return { ...structuredClone(this.totalsState), oldestWindow: oldest, newestWindow: newest };
  }

  async reset(): Promise<void> {
    this.windowsByStart.clear();
    this.totalsState = emptyTotals();
  }

  async close(): Promise<void> {}

  private window(start: number): WindowDelta {
    let w = this.windowsByStart.get(start);
    if (!w) {
      w = emptyWindow(start);
      this.windowsByStart.set(start, w);
    }
    return w;
  }

  private evict(): void {
    if (this.windowsByStart.size <= RETAIN_WINDOWS) return;
    const starts = [...this.windowsByStart.keys()].sort((a, b) => a - b);
    for (const s of starts.slice(0, starts.length - RETAIN_WINDOWS)) this.windowsByStart.delete(s);
  }
}
