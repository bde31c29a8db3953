import type { MetricsBatch, MetricsTotals, WindowDelta, WindowView } from './port';

/*
 * The speed layer's window math, one place for the stream (windowAggregator, metricsForwarder) and
 * every metrics adapter (memory, Redis): 1-minute tumbling windows by event time, additive deltas
 * in cents and counts (so sums are exact), log-bucketed latency, and how long windows are kept.
 */

export const WINDOW_MS = 60_000;
/** Windows a store keeps: the newest 24 hours. */
export const RETAIN_WINDOWS = 24 * 60;

/** The start of the window holding an event time (epoch ms). */
export function windowStart(eventMs: number): number {
  return eventMs - (eventMs % WINDOW_MS);
}

export function windowView(w: WindowDelta): WindowView {
  return { ...w, end: w.start + WINDOW_MS };
}

export function emptyWindow(start: number): WindowDelta {
  return { start, transactions: 0, lines: 0, revenueCents: 0, byStore: {}, byCategory: {}, byProduct: {} };
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

/** Adds a delta into a window, creating the stores, categories and products it lacks. */
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

/** The transactions and revenue a batch adds to the totals (late records are counted apart). */
export function batchTotals(batch: MetricsBatch): { transactions: number; revenueCents: number } {
  let transactions = 0;
  let revenueCents = 0;
  for (const w of batch.windows) {
    transactions += w.transactions;
    revenueCents += w.revenueCents;
  }
  return { transactions, revenueCents };
}

/** One batch covering both offset ranges of a partition, windows merged (a held batch and a newer one). */
export function mergeBatches(a: MetricsBatch, b: MetricsBatch): MetricsBatch {
  const windows = new Map(a.windows.map((w) => [w.start, structuredClone(w)]));
  for (const w of b.windows) {
    const into = windows.get(w.start);
    if (into) mergeWindow(into, w);
    else windows.set(w.start, structuredClone(w));
  }
  const latency = { ...a.latency };
  addCounts(latency, b.latency);
  return {
    partition: a.partition,
    firstOffset: Math.min(a.firstOffset, b.firstOffset),
    lastOffset: Math.max(a.lastOffset, b.lastOffset),
    windows: [...windows.values()].sort((x, y) => x.start - y.start),
    late: { records: a.late.records + b.late.records, revenueCents: a.late.revenueCents + b.late.revenueCents },
    latency,
  };
}

/** Buckets ~10% wide: bucket b holds latencies up to 1.1^b ms. */
export function latencyBucket(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(1.1));
}

export function bucketUpperMs(bucket: number): number {
  return Math.round(1.1 ** bucket);
}

export function latencyQuantile(hist: Record<string, number>, q: number): number | null {
  const buckets = Object.entries(hist)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [b, n] of buckets) {
    seen += n;
    if (seen >= q * total) return bucketUpperMs(b);
  }
  return bucketUpperMs(buckets[buckets.length - 1][0]);
}
