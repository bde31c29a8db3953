import type { WindowDelta, WindowView } from '../../contract';

export type { WindowDelta, WindowView };

/** The metrics port: the speed layer's 1-minute event-time windows, in memory or in Redis. */

/** What one stream poll of one partition adds; applied at most once per (partition, offset range). */
export interface MetricsBatch {
  partition: number;
  /** Offsets (inclusive) the batch covers; the store ignores a batch at or below what it applied. */
  firstOffset: number;
  lastOffset: number;
  windows: WindowDelta[];
  late: { records: number; revenueCents: number };
  /** Log-bucketed event-to-window latency counts, see latencyBucket(). */
  latency: Record<string, number>;
}

export interface MetricsTotals {
  transactions: number;
  revenueCents: number;
  lateRecords: number;
  lateRevenueCents: number;
  latency: Record<string, number>;
  /** Per partition, the last offset whose contribution is applied (-1: none). */
  applied: Record<string, number>;
  /**
   * Per partition, the first offset of the first batch applied: where the windows started counting
   * it (an embedded store starts empty at every start of the app, a new Redis prefix at offset 0).
   */
  since: Record<string, number>;
  /** Start of the oldest window kept (retention trims the oldest), null when there is none. */
  oldestWindow: number | null;
  /** Start of the newest window kept, null when there is none. */
  newestWindow: number | null;
}

/** The store's operations: what a thread reaches through a port (the embedded store lives in the Host's). */
export type MetricsCalls = Omit<Metrics, 'kind'>;

export interface Metrics {
  readonly kind: 'memory' | 'redis';
  apply(batch: MetricsBatch): Promise<boolean>;
  /** Windows whose start is >= sinceMs, oldest first. */
  windows(sinceMs: number): Promise<WindowView[]>;
  totals(): Promise<MetricsTotals>;
  reset(): Promise<void>;
  close(): Promise<void>;
}
