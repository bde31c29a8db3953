import {
  WINDOW_MS,
  type Metrics,
  type MetricsBatch,
  type MetricsTotals,
  type WindowDelta,
  type WindowView,
} from './port';

const RETAIN_WINDOWS = 24 * 60;

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
    for (const d of batch.windows) {
      t.transactions += d.transactions;
      t.revenueCents += d.revenueCents;
    }
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
      .map((w) => ({ ...structuredClone(w), end: w.start + WINDOW_MS }));
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

export function emptyTotals(): MetricsTotals {
  return {
    transactions: 0,
    revenueCents: 0,
    lateRecords: 0,
    lateRevenueCents: 0,
    latency: {},
    applied: {},
    since: {},
    oldestWindow: null,
    newestWindow: null,
  };
}

export function emptyWindow(start: number): WindowDelta {
  return { start, transactions: 0, lines: 0, revenueCents: 0, byStore: {}, byCategory: {}, byProduct: {} };
}

export function mergeWindow(into: WindowDelta, d: WindowDelta): void {
  into.transactions += d.transactions;
  into.lines += d.lines;
  into.revenueCents += d.revenueCents;
  for (const [k, v] of Object.entries(d.byStore)) {
    const s = (into.byStore[k] ??= { transactions: 0, revenueCents: 0 });
    s.transactions += v.transactions;
    s.revenueCents += v.revenueCents;
  }
  addCounts(into.byCategory, d.byCategory);
  for (const [k, v] of Object.entries(d.byProduct)) {
    const p = (into.byProduct[k] ??= { quantity: 0, revenueCents: 0 });
    p.quantity += v.quantity;
    p.revenueCents += v.revenueCents;
  }
}

export function addCounts(into: Record<string, number>, add: Record<string, number>): void {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
}
