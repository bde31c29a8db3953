import type { EngineConfig } from '../config';
import type { Commands, Lineage, MetricsRange, MetricsSnapshot, ReconciliationReport, WindowView } from '../contract';
import { PulseError, toErrorInfo } from '../errors';
import type { Metrics } from '../services/metrics/port';
import { WINDOW_MS } from '../services/metrics/windows';
import { openBroker } from '../services/open';
import type { WarehouseCalls } from '../services/warehouse/port';
import type { Remote } from '../workers/rpc';
import { buildReport, type Read } from './checks';
import type { ReconcileLakeApi } from './reconcileLakeApi';

export type ReconcileCommand = 'reconcile.report' | 'lineage.minute' | 'metrics.range';

export interface ReconcileDeps {
  config: () => EngineConfig;
  warehouse: () => WarehouseCalls;
  metrics: () => Metrics;
  /** The lake worker (DuckDB over the lake, off the Host's thread). */
  lake: () => Promise<Remote<ReconcileLakeApi>>;
  etlRunning: () => boolean;
  streamRunning: () => boolean;
  names: () => MetricsSnapshot['names'];
}

const MIN_RANGE = 15;
const MAX_RANGE = 24 * 60;
const MAX_LINEAGE = 500;
/** Minutes a lineage may name: 2000-01-01 to 2100-01-01. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

async function read<T>(run: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}

/**
 * Reconciliation, lineage and the Live page's range, from durable state and cheap reads: the log's
 * offsets, the lake worker's ledger (footers, one scan per silver file, the checkpoint's markers),
 * the warehouse's totals and manifest, the metrics store's totals. Nothing replays the log
 * (pipeline.summary does, for the CLI's run).
 */
export class ReconcileCommands {
  constructor(private readonly deps: ReconcileDeps) {}

  handlers(): { [C in ReconcileCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'reconcile.report': () => this.report(),
      'lineage.minute': (q) => this.lineage(q),
      'metrics.range': (q) => this.range(q),
    };
  }

  async report(): Promise<ReconciliationReport> {
    const started = performance.now();
    const { deps } = this;
    const config = deps.config();
    const [log, warehouse, windows] = await Promise.all([
      read(() => this.log(config)),
      read(async () => {
        const w = deps.warehouse();
        const [loaded, totals, newest] = await Promise.all([w.loadedFiles(), w.totals(), newestFact(w)]);
        return { loaded, totals, newest };
      }),
      read(async () => ({ ...(await deps.metrics().totals()), kind: deps.metrics().kind })),
    ]);
    const lake = await (
      await deps.lake()
    ).reconcileLake({
      loaded: warehouse.ok ? warehouse.value.loaded : null,
      windowsSince: windows.ok ? windows.value.since : null,
    });
    return buildReport({
      at: Date.now(),
      tookMs: Math.round(performance.now() - started),
      topic: config.topic,
      etlRunning: deps.etlRunning(),
      streamRunning: deps.streamRunning(),
      log,
      lake,
      warehouse: warehouse.ok
        ? {
            ok: true,
            value: {
              loadedFiles: warehouse.value.loaded.length,
              factRows: warehouse.value.totals.factRows,
              revenue: Math.round(warehouse.value.totals.revenue * 100) / 100,
              newest: warehouse.value.newest,
            },
          }
        : warehouse,
      windows,
    });
  }

  /** The log's offsets; a topic nothing was produced to yet is an empty log. */
  private async log(config: EngineConfig): Promise<{ ends: number[]; earliest: number[] }> {
    const broker = await openBroker(config);
    try {
      return { ends: await broker.endOffsets(config.topic), earliest: await broker.earliestOffsets(config.topic) };
    } catch (err) {
      if (err instanceof PulseError && err.code === 'not_found') return { ends: [], earliest: [] };
      throw err;
    } finally {
      await broker.close();
    }
  }

  async lineage(q: Commands['lineage.minute']['req']): Promise<Lineage> {
    const started = performance.now();
    if (!Number.isInteger(q.storeId) || q.storeId < 0 || q.storeId > 2 ** 31 - 1)
      throw new PulseError('config_invalid', `storeId must be a whole number from 0, got ${q.storeId}`, {
        field: 'storeId',
      });
    if (!Number.isInteger(q.minute) || q.minute % WINDOW_MS !== 0 || q.minute < EARLIEST || q.minute >= LATEST)
      throw new PulseError(
        'config_invalid',
        `minute must be the start of a minute (epoch ms, a multiple of 60,000) between 2000 and 2100, got ${q.minute}`,
        { field: 'minute' },
      );
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LINEAGE)
      throw new PulseError('config_invalid', `limit must be from 1 to ${MAX_LINEAGE} sales, got ${limit}`, {
        field: 'limit',
      });
    const [lake, window] = await Promise.all([
      (await this.deps.lake()).lineage({ storeId: q.storeId, minute: q.minute, limit }),
      this.deps
        .metrics()
        .windows(q.minute)
        .then(
          (ws) => ws.find((w) => w.start === q.minute)?.byStore[String(q.storeId)] ?? null,
          () => null,
        ),
    ]);
    const silver = { ...lake.silver, revenue: lake.silver.cents / 100 };
    const notes: string[] = [];
    if (window) {
      const sales = silver.sales - window.transactions;
      const cents = lake.silver.cents - window.revenueCents;
      if (sales > 0 || cents !== 0)
        notes.push(
          `silver holds ${sales.toLocaleString('en-US')} more sales (EGP ${(cents / 100).toFixed(2)}) than the window counted: sales that arrived behind the watermark (late), came from a replay or an imported file (counted as late), or that the stream read before the windows started counting`,
        );
    } else if (silver.sales)
      notes.push(
        'the live windows hold nothing for this store and minute (older than they keep, or an embedded store that started empty): silver is the record',
      );
    const replayed = lake.sales.filter((s) => s.origin !== 'stream').length;
    if (replayed) notes.push(`${replayed} of the sales shown came from a quarantine replay or an imported file`);
    return {
      storeId: q.storeId,
      storeName: this.deps.names().stores[String(q.storeId)] ?? null,
      minute: q.minute,
      silver: { sales: silver.sales, lines: silver.lines, revenue: silver.revenue, files: silver.files },
      window: window && { transactions: window.transactions, revenue: window.revenueCents / 100 },
      sales: lake.sales,
      more: lake.more,
      notes,
      tookMs: Math.round(performance.now() - started),
    };
  }

  async range(q: Commands['metrics.range']['req']): Promise<MetricsRange> {
    if (!Number.isInteger(q.minutes) || q.minutes < MIN_RANGE || q.minutes > MAX_RANGE)
      throw new PulseError(
        'config_invalid',
        `minutes must be a whole number from ${MIN_RANGE} to ${MAX_RANGE} (24 h), got ${q.minutes}`,
        { field: 'minutes' },
      );
    const stores = q.stores ?? null;
    if (stores && (stores.length > 1000 || !stores.every((s) => Number.isInteger(s) && s >= 0)))
      throw new PulseError('config_invalid', 'stores must be a list of store ids (whole numbers)', { field: 'stores' });
    const at = Date.now();
    const to = at - (at % WINDOW_MS) + WINDOW_MS;
    const from = to - q.minutes * WINDOW_MS;
    const metrics = this.deps.metrics();
    // The windows hold what is at or after their oldest window; before it (or when they hold nothing), silver.
    const live = await read(async () => {
      const totals = await metrics.totals();
      const since = totals.oldestWindow === null ? to : Math.max(from, totals.oldestWindow);
      return { since, windows: since < to ? await metrics.windows(since) : [] };
    });
    const windowsFrom = live.ok ? live.value.since : to;
    const [silver, breakdown] = await Promise.all([
      read(async () => (windowsFrom > from ? (await this.deps.lake()).silverWindows({ from, to: windowsFrom }) : [])),
      read(async () => (stores ? (await this.deps.lake()).silverBreakdown({ from, to, stores }) : null)),
    ]);
    // Either side alone is worth showing, said; neither is an error.
    if (!live.ok && !silver.ok)
      throw new PulseError(
        silver.error.code,
        `neither the metrics store (${live.error.message}) nor silver (${silver.error.message}) could be read`,
        { retriable: true },
      );
    const windows = [
      ...(silver.ok ? silver.value : []),
      ...(live.ok ? live.value.windows.filter((w) => w.start < to) : []),
    ];
    const sources: MetricsRange['sources'] = [];
    if (windowsFrom > from && silver.ok) sources.push({ from, to: windowsFrom, source: 'silver' });
    if (windowsFrom < to) sources.push({ from: windowsFrom, to, source: 'windows' });
    const lakeError = !silver.ok ? silver.error : !breakdown.ok ? breakdown.error : null;
    return {
      minutes: q.minutes,
      from,
      to,
      at,
      windows: stores ? windows.map((w) => onlyStores(w, stores)) : windows,
      sources,
      stores,
      breakdown: breakdown.ok ? breakdown.value : null,
      note: !live.ok
        ? `the metrics store did not answer (${live.error.message}): every minute comes from silver`
        : lakeError
          ? `silver could not be read (${lakeError.message}): only the live windows' minutes are shown`
          : null,
      names: this.deps.names(),
    };
  }
}

function onlyStores(w: WindowView, stores: number[]): WindowView {
  const byStore: WindowView['byStore'] = {};
  for (const s of stores) if (w.byStore[String(s)]) byStore[String(s)] = w.byStore[String(s)];
  const kept = Object.values(byStore);
  return {
    ...w,
    byStore,
    transactions: kept.reduce((s, x) => s + x.transactions, 0),
    revenueCents: kept.reduce((s, x) => s + x.revenueCents, 0),
  };
}

/** The warehouse's newest event time: the newest date's rows only (an index on date_key finds it). */
async function newestFact(w: WarehouseCalls): Promise<number | null> {
  const r = await w
    .query(
      `SELECT (extract(epoch FROM max(event_time)) * 1000)::float8 AS newest FROM fact_sales
       WHERE date_key = (SELECT max(date_key) FROM fact_sales)`,
    )
    .catch(() => null);
  const v = r?.rows[0]?.[0];
  return v === null || v === undefined ? null : Number(v);
}
