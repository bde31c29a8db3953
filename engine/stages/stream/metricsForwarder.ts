import { toErrorInfo, type ErrorInfo } from '../../errors';
import { mergeBatches } from '../../services/metrics/windows';
import type { MetricsBatch, MetricsCalls } from '../../services/metrics/port';

export interface MetricsForwarderDeps {
  metrics: MetricsCalls;
  /** Whether this member still owns the partition (a revoked one's deltas are dropped). */
  owns: (partition: number) => boolean;
  /** Per partition, the last offset the store has counted: updated as batches land. */
  applied: Map<number, number>;
  counters: { metricsErrors: number; metricsPending: number };
  onError: (e: ErrorInfo) => void;
  stopping: () => boolean;
}

/**
 * The speed layer is best effort and off the hot path: deltas queue per partition (merged while
 * one is in flight) and a pump applies them, all partitions at once. The lake and warehouse get
 * every record whatever happens to the store; while it is unreachable the deltas are held and
 * applied in one batch when it answers again, so the windows catch up instead of missing the outage.
 */
export class MetricsForwarder {
  private readonly pending = new Map<number, MetricsBatch>();
  private running: Promise<void> | null = null;
  private draining = false;

  constructor(private readonly deps: MetricsForwarderDeps) {}

  queue(p: number, delta: MetricsBatch): void {
    const held = this.pending.get(p);
    this.pending.set(p, held ? mergeBatches(held, delta) : delta);
    this.running ??= this.forward().finally(() => (this.running = null));
  }

  /** A revoked partition's deltas: its new owner counts them. */
  drop(p: number): void {
    this.pending.delete(p);
  }

  /** Waits until every queued window delta is in the store, or for 10 s while the store is failing. */
  async settle(): Promise<void> {
    this.draining = true;
    try {
      const deadline = Date.now() + 10_000;
      while (this.running && Date.now() < deadline)
        await Promise.race([this.running, new Promise((r) => setTimeout(r, 200))]);
    } finally {
      this.draining = false;
    }
  }

  private async forward(): Promise<void> {
    const { metrics, owns, applied, counters } = this.deps;
    while (this.pending.size) {
      const batches = [...this.pending.values()];
      this.pending.clear();
      const failed = await Promise.all(
        batches.map(async (batch) => {
          try {
            await metrics.apply(batch);
            if (owns(batch.partition))
              applied.set(batch.partition, Math.max(applied.get(batch.partition) ?? -1, batch.lastOffset));
            return null;
          } catch (err) {
            // Put it back in front of what arrived meanwhile.
            const later = this.pending.get(batch.partition);
            if (owns(batch.partition)) this.pending.set(batch.partition, later ? mergeBatches(batch, later) : batch);
            return err;
          }
        }),
      );
      const err = failed.find((e) => e !== null);
      counters.metricsPending = [...this.pending.values()].reduce(
        (s, b) => s + b.windows.reduce((t, w) => t + w.transactions, 0),
        0,
      );
      if (err) {
        counters.metricsErrors++;
        this.deps.onError({ ...toErrorInfo(err), code: 'metrics_failed', retriable: true });
        if (this.deps.stopping() && !this.draining) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
