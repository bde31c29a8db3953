import type { EtlResult, PipelineSummary } from '../contract';
import { PulseError } from '../errors';
import type { MetricsTotals } from '../services/metrics/port';
import type { EngineConfig } from '../config';
import { readCatalogHistory } from '../catalog/catalogHistory';
import type { CatalogIndex } from '../model/catalog';
import { quarantineFiles, stateSql } from '../quarantine/quarantineState';
import { recordedCatalogs } from './recordedCatalogs';
import { isImported } from '../model/sale';
import { validateSale } from '../model/validate';
import type { Broker } from '../services/broker/port';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck, sqlList } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { visibleKeys } from '../compaction/lakeView';
import { latencyQuantile } from '../services/metrics/windows';
import { openBroker, openLake } from '../services/open';

/** The summary's counts that come from the log and the lake (DuckDB): the summary worker's work. */
export type DurableCounts = Pick<PipelineSummary, 'produced' | 'bronze' | 'silver' | 'quarantine'>;

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The pipeline's numbers, each read back from durable state so a run after a crash reports the
 * truth: the log (what was produced, and what of it is valid), the lake files (countDurable, in
 * the summary worker), the warehouse tables; only the speed layer's windows come from the metrics store.
 */
export function assembleSummary(parts: {
  durable: DurableCounts;
  warehouse: { factRows: number; revenue: number };
  windows: MetricsTotals;
  etl: EtlResult | null;
  throughputTps: number;
}): PipelineSummary {
  const { durable, warehouse, windows: totals } = parts;
  return {
    ...durable,
    warehouse: { fact_rows: warehouse.factRows, revenue: round2(warehouse.revenue) },
    windows: {
      revenue: totals.revenueCents / 100,
      late_records: totals.lateRecords,
      late_revenue: totals.lateRevenueCents / 100,
    },
    throughput_tps: Math.round(parts.throughputTps),
    latency_ms: { p50: latencyQuantile(totals.latency, 0.5), p99: latencyQuantile(totals.latency, 0.99) },
    etl: parts.etl,
  };
}

/** What was produced (the whole log judged again) and what the lake's layers hold: the log and DuckDB. */
export async function countDurable(config: EngineConfig): Promise<DurableCounts> {
  const broker = await openBroker(config);
  const lake = await openLake(config);
  const duck = await openDuck({ threads: 2 });
  try {
    const judgedWith = await recordedCatalogs(lake, duck, await readCatalogHistory(lake));
    const [produced, layers] = await Promise.all([
      producedFromLog(broker, config.topic, judgedWith),
      countLayers(lake, duck),
    ]);
    return { produced, ...layers };
  } finally {
    duck.closeSync();
    await broker.close();
  }
}

/**
 * Judges the whole log again: what a perfect consumer would have accepted, each record against the
 * catalog it was last judged with (see recordedCatalogs), each transaction id once.
 */
async function producedFromLog(
  broker: Broker,
  topic: string,
  judgedWith: (partition: number, offset: number) => CatalogIndex,
): Promise<PipelineSummary['produced']> {
  const out = { records: 0, valid_transactions: 0, valid_lines: 0, valid_revenue: 0 };
  let ends: number[];
  try {
    ends = await broker.endOffsets(topic);
  } catch (err) {
    // No topic yet: nothing was produced. Anything else (a broker that stopped answering) is an
    // error, never a count of zero.
    if (err instanceof PulseError && err.code === 'not_found') return out;
    throw err;
  }
  const seen = new Set<string>();
  let cents = 0;
  for (let p = 0; p < ends.length; p++) {
    out.records += ends[p];
    await broker.scan(topic, p, 0, ends[p], (records) => {
      for (const r of records) {
        const v = validateSale(r.value, r.timestamp, judgedWith(r.partition, r.offset), isImported(r.key));
        if (!v.ok || seen.has(v.transactionId)) continue;
        seen.add(v.transactionId);
        out.valid_transactions++;
        out.valid_lines += v.lines.length;
        cents += v.totalCents;
      }
    });
  }
  out.valid_revenue = cents / 100;
  return out;
}

async function countLayers(
  lake: Lake,
  duck: DuckDBConnection,
): Promise<Pick<PipelineSummary, 'bronze' | 'silver' | 'quarantine'>> {
  const filesOf = async (prefix: string): Promise<string[]> => lake.localPaths(await visibleKeys(lake, prefix));
  const [bronze, silver, quarantine] = await Promise.all([
    filesOf(LAYERS.bronze),
    filesOf(LAYERS.silver),
    filesOf(LAYERS.quarantine),
  ]);
  const one = async (sql: string): Promise<unknown[]> => (await duck.runAndReadAll(sql)).getRowsJS()[0];
  const out: Pick<PipelineSummary, 'bronze' | 'silver' | 'quarantine'> = {
    bronze: { records: 0, files: bronze.length },
    silver: { transactions: 0, lines: 0, distinct_lines: 0, revenue: 0, files: silver.length },
    quarantine: { records: 0, open: 0, replayed: 0, by_reason: {} },
  };
  if (bronze.length)
    out.bronze.records = Number(
      (
        await one(
          `SELECT count(*) FROM read_parquet(${sqlList(bronze)}, hive_partitioning = false, union_by_name = true)`,
        )
      )[0],
    );
  if (silver.length) {
    const [transactions, lines, distinct, revenue] = await one(
      `SELECT count(DISTINCT (source_partition, source_offset)), count(*), count(DISTINCT (transaction_id, line_no)), coalesce(sum(line_amount), 0)::DOUBLE
       FROM read_parquet(${sqlList(silver)}, hive_partitioning = false, union_by_name = true)`,
    );
    out.silver = {
      transactions: Number(transactions),
      lines: Number(lines),
      distinct_lines: Number(distinct),
      revenue: round2(Number(revenue)),
      files: silver.length,
    };
  }
  // Each quarantined record once: open (with its latest reason) or replayed into silver.
  const state = quarantine.length ? await stateSql(duck, await quarantineFiles(lake)) : null;
  if (state) {
    const rows = (
      await duck.runAndReadAll(`SELECT state, coalesce(reason, ''), count(*) FROM (${state}) GROUP BY ALL ORDER BY ALL`)
    ).getRowsJS();
    for (const [st, reason, n] of rows) {
      out.quarantine.records += Number(n);
      if (st === 'replayed') out.quarantine.replayed += Number(n);
      else {
        out.quarantine.open += Number(n);
        out.quarantine.by_reason[String(reason)] = Number(n);
      }
    }
  }
  return out;
}
