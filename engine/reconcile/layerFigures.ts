import type { LayerFigures } from '../reconcileContract';
import type { ReportParts } from './checks';

/** Counts and money as the report's sentences say them (the CLI and the page show them as they are). */
export const n = (x: number) => x.toLocaleString('en-US');
export const egp = (cents: number) =>
  `EGP ${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Each layer's figures side by side, with where they are read from. */
export function layers(p: ReportParts): LayerFigures[] {
  const { lake } = p;
  const row = (l: Partial<LayerFigures> & Pick<LayerFigures, 'layer' | 'from'>): LayerFigures => ({
    records: null,
    lines: null,
    revenue: null,
    files: null,
    newest: null,
    newestOf: null,
    note: null,
    error: null,
    ...l,
  });
  const earliest = p.log.ok ? p.log.value.earliest.filter((e) => e > 0) : [];
  const w = p.windows.ok ? p.windows.value : null;
  const wh = p.warehouse.ok ? p.warehouse.value : null;
  return [
    row({
      layer: 'log',
      records: p.log.ok ? p.log.value.ends.reduce((s, e) => s + e, 0) : null,
      from: "the log's end offsets (every partition counted from offset 0)",
      note: earliest.length
        ? `retention keeps ${p.log.ok ? p.log.value.earliest.map((e, i) => `p${i}@${n(e)}`).join(' ') : ''} on`
        : null,
      error: p.log.ok ? null : p.log.error,
    }),
    row({
      layer: 'bronze',
      records: lake.bronze.records,
      files: lake.bronze.files,
      newest: lake.bronze.newest,
      newestOf: 'arrival',
      from: 'Parquet footers: row counts and min/max statistics, read once per file',
    }),
    row({
      layer: 'silver',
      records: lake.silver.records,
      lines: lake.silver.lines,
      revenue: lake.silver.cents / 100,
      files: lake.silver.files,
      newest: lake.silver.newest,
      newestOf: 'event',
      from: 'each silver file read once (DuckDB, in the lake worker): sales are distinct source records',
      note: lake.silver.replay.records ? `${n(lake.silver.replay.records)} sales from quarantine replays` : null,
    }),
    row({
      layer: 'quarantine',
      records: lake.quarantine.records,
      files: lake.quarantine.files,
      newest: lake.quarantine.newest,
      newestOf: 'arrival',
      from: "Parquet footers; replayed: the sales in replays' silver files",
      note: `open ${n(lake.quarantine.records - lake.silver.replay.records)}, replayed ${n(lake.silver.replay.records)}`,
    }),
    row({
      layer: 'warehouse',
      lines: wh?.factRows ?? null,
      revenue: wh?.revenue ?? null,
      files: wh?.loadedFiles ?? null,
      newest: wh?.newest ?? null,
      newestOf: wh ? 'event' : null,
      from: 'fact_sales (rows, revenue, newest event time) and load_manifest (files loaded)',
      error: p.warehouse.ok ? null : p.warehouse.error,
    }),
    row({
      layer: 'windows',
      records: w ? w.transactions + w.lateRecords : null,
      revenue: w ? (w.revenueCents + w.lateRevenueCents) / 100 : null,
      newest: w?.newestWindow ?? null,
      newestOf: w ? 'event' : null,
      from: `the metrics store (${w?.kind === 'redis' ? 'Redis' : 'in memory'}): totals since it started counting; windows kept 24 h`,
      note: w ? `of which late ${n(w.lateRecords)} (${egp(w.lateRevenueCents)})` : null,
      error: p.windows.ok ? null : p.windows.error,
    }),
  ];
}
