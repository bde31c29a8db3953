import type { MetricsInterval, MetricsSnapshot } from './contract';
import type { Handlers } from './host/commandRouter';
import type { Metrics, MetricsTotals } from './services/metrics/port';
import { latencyQuantile, WINDOW_MS } from './services/metrics/windows';

/** A gap longer than this between ticks (nobody listened) starts the intervals afresh. */
const MAX_INTERVAL_MS = 5_000;

/**
 * The Live page's snapshots: the last minutes' windows, the totals, and figures per interval
 * between two ticks (transactions, late events, latency quantiles of that interval alone, from
 * the difference of the store's cumulative latency histogram), so the charts show what happens
 * now rather than averages since the start.
 */
export class LiveMetrics {
  private last: { at: number; totals: MetricsTotals } | null = null;
  private interval: MetricsInterval | null = null;

  constructor(
    private readonly metrics: () => Metrics,
    /** Display names of the ids the windows are keyed by: every catalog version's, the newest last. */
    private readonly names: () => MetricsSnapshot['names'],
  ) {}

  /** `tick`: this snapshot closes an interval (the Host's once-a-second push); other reads do not. */
  async snapshot(minutes: number, tick = false): Promise<MetricsSnapshot> {
    const totals = await this.metrics().totals();
    const now = Date.now();
    const windows = await this.metrics().windows(now - (now % WINDOW_MS) - (minutes - 1) * WINDOW_MS);
    if (tick) {
      this.interval = this.last && now - this.last.at <= MAX_INTERVAL_MS ? intervalOf(this.last, totals, now) : null;
      this.last = { at: now, totals };
    }
    return {
      windows,
      interval: this.interval,
      transactions: totals.transactions,
      revenue: totals.revenueCents / 100,
      lateRecords: totals.lateRecords,
      latencyMs: { p50: latencyQuantile(totals.latency, 0.5), p99: latencyQuantile(totals.latency, 0.99) },
      at: now,
      names: this.names(),
    };
  }

  handlers(): Handlers<'metrics.snapshot'> {
    return { 'metrics.snapshot': (q) => this.snapshot(q.minutes ?? 15) };
  }

  /**
   * Pushes a snapshot as metrics.tick every second while someone listens. A failed metrics store
   * is shown by services.status and the Live page's own call, not every second. Returns a stop.
   */
  tick(emit: (s: MetricsSnapshot) => void, wanted: () => boolean): () => void {
    const timer = setInterval(() => {
      if (wanted()) void this.snapshot(15, true).then(emit, () => undefined);
    }, 1000);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The store was swapped: intervals start again. */
  reset(): void {
    this.last = null;
    this.interval = null;
  }
}

/** Null when the totals went down (the store was reset or replaced): no honest difference exists. */
export function intervalOf(
  prev: { at: number; totals: MetricsTotals },
  totals: MetricsTotals,
  now: number,
): MetricsInterval | null {
  const transactions = totals.transactions - prev.totals.transactions;
  const lateRecords = totals.lateRecords - prev.totals.lateRecords;
  if (transactions < 0 || lateRecords < 0) return null;
  const latency: Record<string, number> = {};
  for (const [bucket, n] of Object.entries(totals.latency)) {
    const d = n - (prev.totals.latency[bucket] ?? 0);
    if (d < 0) return null;
    if (d > 0) latency[bucket] = d;
  }
  return {
    ms: now - prev.at,
    transactions,
    lateRecords,
    latencyMs: { p50: latencyQuantile(latency, 0.5), p99: latencyQuantile(latency, 0.99) },
  };
}
