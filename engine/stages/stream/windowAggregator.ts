import type { ValidSale } from '../../model/validate';
import type { MetricsBatch, WindowDelta } from '../../services/metrics/port';
import { emptyWindow, latencyBucket, windowStart } from '../../services/metrics/windows';

/**
 * 1-minute tumbling windows by event time. The watermark trails the newest event time seen by
 * `allowedLatenessMs`; an event older than the watermark is late: it still goes to silver and the
 * warehouse (the batch layer is the truth), but the speed layer only counts it as late.
 */
export class WindowAggregator {
  private maxEventMs = -Infinity;
  private batch: {
    partition: number;
    first: number;
    last: number;
    windows: Map<number, WindowDelta>;
    late: { records: number; revenueCents: number };
    arrivalMs: number[];
  } | null = null;

  constructor(private readonly allowedLatenessMs: number) {}

  /** The newest event time counted so far (-Infinity before the first): the clock minus it is the event-time lag. */
  get newestEventMs(): number {
    return this.maxEventMs;
  }

  get watermark(): number {
    return this.maxEventMs - this.allowedLatenessMs;
  }

  begin(partition: number, firstOffset: number): void {
    this.batch = {
      partition,
      first: firstOffset,
      last: firstOffset - 1,
      windows: new Map(),
      late: { records: 0, revenueCents: 0 },
      arrivalMs: [],
    };
  }

  /**
   * Adds a sale to its window; returns true when it was late (behind the watermark) instead. A
   * `backfill` (an imported file) is late by definition: it neither moves the watermark nor the latency.
   * `arrivalMs`: when the record reached the broker (its log or Kafka timestamp), where the
   * event-to-window latency is measured from, so a replayed backlog does not count its age as latency.
   */
  add(sale: ValidSale, offset: number, backfill = false, arrivalMs = sale.eventMs): boolean {
    const b = this.batch!;
    b.last = offset;
    if (backfill || sale.eventMs < this.watermark) {
      b.late.records++;
      b.late.revenueCents += sale.totalCents;
      return true;
    }
    if (sale.eventMs > this.maxEventMs) this.maxEventMs = sale.eventMs;
    const start = windowStart(sale.eventMs);
    let w = b.windows.get(start);
    if (!w) b.windows.set(start, (w = emptyWindow(start)));
    w.transactions++;
    w.lines += sale.lines.length;
    w.revenueCents += sale.totalCents;
    const store = (w.byStore[sale.storeId] ??= { transactions: 0, revenueCents: 0 });
    store.transactions++;
    store.revenueCents += sale.totalCents;
    for (const line of sale.lines) {
      const category = sale.catalog.products.get(line.product_id)!.category;
      w.byCategory[category] = (w.byCategory[category] ?? 0) + line.amountCents;
      const p = (w.byProduct[line.product_id] ??= { quantity: 0, revenueCents: 0 });
      p.quantity += line.quantity;
      p.revenueCents += line.amountCents;
    }
    b.arrivalMs.push(arrivalMs);
    return false;
  }

  /** Marks offsets consumed that carry no valid sale, so the batch's range still covers them. */
  skip(offset: number): void {
    this.batch!.last = offset;
  }

  /** Closes the batch; latency (broker arrival to now) is measured now, when its windows are about to be published. */
  end(nowMs = Date.now()): MetricsBatch | null {
    const b = this.batch;
    this.batch = null;
    if (!b || b.last < b.first) return null;
    const latency: Record<string, number> = {};
    for (const e of b.arrivalMs) {
      const bucket = latencyBucket(Math.max(0, nowMs - e));
      latency[bucket] = (latency[bucket] ?? 0) + 1;
    }
    return {
      partition: b.partition,
      firstOffset: b.first,
      lastOffset: b.last,
      windows: [...b.windows.values()],
      late: b.late,
      latency,
    };
  }
}
