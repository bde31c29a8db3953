import type { DuckDBConnection } from '@duckdb/node-api';
import type { WindowDelta, WindowView } from '../contract';
import { sqlList } from '../services/lake/duck';
import { hourKey, LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { visibleParquet } from '../compaction/lakeView';
import { emptyWindow, WINDOW_MS } from '../services/metrics/windows';

const HOUR_MS = 3_600_000;

/**
 * 1-minute windows computed from silver (DuckDB over the lake, in the lake worker), for the minutes
 * the live windows do not hold: older than their retention, or before an embedded store started
 * empty. Every sale counts in its own minute, late ones too (silver is the truth). Silver is
 * partitioned by event hour, so a range reads only its hours' files; an hour's minutes are kept
 * until its files change (listing signature), so refreshing a 24-hour range reads only what is new.
 */
export class SilverMinutes {
  private readonly hours = new Map<string, { signature: string; minutes: WindowDelta[] }>();

  constructor(
    private readonly lake: Lake,
    private readonly duck: () => Promise<DuckDBConnection>,
  ) {}

  /** Minutes whose start is in [from, to), oldest first (only minutes with sales). */
  async windows(from: number, to: number): Promise<WindowView[]> {
    const out: WindowView[] = [];
    for (let h = Math.floor(from / HOUR_MS) * HOUR_MS; h < to; h += HOUR_MS) {
      for (const w of await this.hour(h))
        if (w.start >= from && w.start < to) out.push({ ...structuredClone(w), end: w.start + WINDOW_MS });
    }
    return out;
  }

  /** Revenue by category and by product of some stores over [from, to), in cents: one query, not kept. */
  async breakdown(
    from: number,
    to: number,
    stores: number[],
  ): Promise<{ byCategory: Record<string, number>; byProduct: WindowDelta['byProduct'] }> {
    const out = { byCategory: {} as Record<string, number>, byProduct: {} as WindowDelta['byProduct'] };
    const files: string[] = [];
    for (let h = Math.floor(from / HOUR_MS) * HOUR_MS; h < to; h += HOUR_MS) files.push(...(await this.keys(h)));
    if (!files.length || !stores.length) return out;
    const rows = (
      await (
        await this.duck()
      ).runAndReadAll(
        `SELECT category, product_id, sum(quantity), (sum(line_amount) * 100)::BIGINT
         FROM read_parquet(${sqlList(await this.lake.localPaths(files))}, union_by_name = true, hive_partitioning = false)
         WHERE store_id IN (${stores.join(', ')}) AND event_time >= to_timestamp(${from / 1000}) AND event_time < to_timestamp(${to / 1000})
         GROUP BY ALL`,
      )
    ).getRowsJS();
    for (const [category, product, quantity, cents] of rows) {
      out.byCategory[String(category)] = (out.byCategory[String(category)] ?? 0) + Number(cents);
      const p = (out.byProduct[String(product)] ??= { quantity: 0, revenueCents: 0 });
      p.quantity += Number(quantity);
      p.revenueCents += Number(cents);
    }
    return out;
  }

  private async keys(hourStart: number): Promise<string[]> {
    const [date, hh] = hourKey(hourStart).split('/');
    return (await visibleParquet(this.lake, `${LAYERS.silver}date=${date}/hour=${hh}/`)).map((o) => o.key);
  }

  private async hour(hourStart: number): Promise<WindowDelta[]> {
    const [date, hh] = hourKey(hourStart).split('/');
    // As every reader reads the lake: a compacted file or the files it replaced, never both.
    const objects = await visibleParquet(this.lake, `${LAYERS.silver}date=${date}/hour=${hh}/`);
    const signature = objects.map((o) => `${o.key}:${o.size}`).join('|');
    const known = this.hours.get(hh + date);
    if (known?.signature === signature) return known.minutes;
    const minutes = objects.length ? await this.read(await this.lake.localPaths(objects.map((o) => o.key))) : [];
    this.hours.set(hh + date, { signature, minutes });
    return minutes;
  }

  private async read(local: string[]): Promise<WindowDelta[]> {
    const duck = await this.duck();
    const src = `(SELECT (epoch_ms(event_time) // ${WINDOW_MS}) * ${WINDOW_MS} AS m, * FROM read_parquet(${sqlList(local)}, union_by_name = true, hive_partitioning = false))`;
    const byStart = new Map<number, WindowDelta>();
    const win = (m: unknown) => {
      const start = Number(m);
      let w = byStart.get(start);
      if (!w) byStart.set(start, (w = emptyWindow(start)));
      return w;
    };
    // One scan: per minute by store, by category and by product (grouping sets; grouping() says which).
    const rows = (
      await duck.runAndReadAll(
        `SELECT m, grouping(store_id), grouping(category), store_id, category, product_id,
           count(DISTINCT (source_partition, source_offset)), count(*), sum(quantity), (sum(line_amount) * 100)::BIGINT
         FROM ${src} GROUP BY GROUPING SETS ((m, store_id), (m, category), (m, product_id))`,
      )
    ).getRowsJS();
    for (const [m, noStore, noCategory, store, category, product, tx, lines, quantity, c] of rows) {
      const w = win(m);
      if (Number(noStore) === 0) {
        w.transactions += Number(tx);
        w.lines += Number(lines);
        w.revenueCents += Number(c);
        w.byStore[String(store)] = { transactions: Number(tx), revenueCents: Number(c) };
      } else if (Number(noCategory) === 0) w.byCategory[String(category)] = Number(c);
      else w.byProduct[String(product)] = { quantity: Number(quantity), revenueCents: Number(c) };
    }
    return [...byStart.values()].sort((a, b) => a.start - b.start);
  }
}
