import type { DuckDBConnection } from '@duckdb/node-api';
import type { LineageSale } from '../reconcileContract';
import { isImported } from '../model/sale';
import { sqlList } from '../services/lake/duck';
import { hourKey, LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { visibleKeys } from '../compaction/lakeView';
import type { LakeLedger } from './lakeLedger';

/** What the lake says of a store's minute: every sale in silver counted, the first ones with their bronze records. */
export interface LakeLineage {
  silver: { sales: number; lines: number; cents: number; files: number };
  sales: LineageSale[];
  more: boolean;
}

export interface LineageDeps {
  lake: Lake;
  duck: () => Promise<DuckDBConnection>;
  ledger: LakeLedger;
}

const cents = (v: unknown) => Number(v) / 100;

/**
 * A store's sales in one minute of event time, from silver (only the files of that hour's
 * partition are read) down to their raw records in bronze, found by source partition and offset:
 * the bronze files whose contents span those offsets (the ledger's min/max), never by file name.
 */
export async function lakeLineage(
  deps: LineageDeps,
  q: { storeId: number; minute: number; limit: number },
): Promise<LakeLineage> {
  const [date, hh] = hourKey(q.minute).split('/');
  // As every reader reads the lake: a compacted file or the files it replaced, never both.
  const keys = await visibleKeys(deps.lake, `${LAYERS.silver}date=${date}/hour=${hh}/`);
  if (!keys.length) return { silver: { sales: 0, lines: 0, cents: 0, files: 0 }, sales: [], more: false };
  const local = await deps.lake.localPaths(keys);
  const keyOf = new Map(local.map((p, i) => [p, keys[i]]));
  const duck = await deps.duck();
  const lines = `SELECT * FROM read_parquet(${sqlList(local)}, filename = true, union_by_name = true, hive_partitioning = false)
    WHERE store_id = ${q.storeId} AND event_time >= to_timestamp(${q.minute / 1000}) AND event_time < to_timestamp(${(q.minute + 60_000) / 1000})`;
  const [[sales, lineCount, revenue, files]] = (
    await duck.runAndReadAll(
      `SELECT count(DISTINCT (source_partition, source_offset)), count(*), coalesce((sum(line_amount) * 100)::BIGINT, 0),
         count(DISTINCT filename) FROM (${lines})`,
    )
  ).getRowsJS();
  const rows = (
    await duck.runAndReadAll(
      `WITH l AS (${lines}),
         firsts AS (SELECT source_partition, source_offset FROM l GROUP BY ALL
                    ORDER BY min(event_time), source_partition, source_offset LIMIT ${q.limit})
       SELECT transaction_id, line_no, epoch_ms(event_time), customer_id, product_id, product_name, category, quantity,
         (unit_price * 100)::BIGINT, (line_amount * 100)::BIGINT, source_partition, source_offset,
         epoch_ms(ingested_at), filename
       FROM l WHERE (source_partition, source_offset) IN (SELECT (source_partition, source_offset) FROM firsts)
       ORDER BY event_time, source_partition, source_offset, line_no`,
    )
  ).getRowsJS();
  const bySource = new Map<string, LineageSale>();
  for (const r of rows) {
    const id = `${Number(r[10])}:${Number(r[11])}`;
    let sale = bySource.get(id);
    if (!sale) {
      const silverFile = keyOf.get(String(r[13])) ?? String(r[13]);
      sale = {
        transactionId: String(r[0]),
        eventTime: Number(r[2]),
        customerId: String(r[3]),
        total: 0,
        lines: [],
        silverFile,
        origin: /\/replay-[^/]+\.parquet$/.test(silverFile) ? 'replay' : 'stream',
        ingestedAt: Number(r[12]),
        partition: Number(r[10]),
        offset: Number(r[11]),
        bronze: null,
      };
      bySource.set(id, sale);
    }
    sale.lines.push({
      lineNo: Number(r[1]),
      productId: Number(r[4]),
      productName: String(r[5]),
      category: String(r[6]),
      quantity: Number(r[7]),
      unitPrice: cents(r[8]),
      amount: cents(r[9]),
    });
    sale.total = Math.round(sale.total * 100 + Number(r[9])) / 100;
  }
  const out = [...bySource.values()];
  await attachBronze(deps, out);
  return {
    silver: { sales: Number(sales), lines: Number(lineCount), cents: Number(revenue), files: Number(files) },
    sales: out,
    more: Number(sales) > out.length,
  };
}

/** Each sale's raw record: bronze files whose partition and offset span hold it, read with that predicate. */
async function attachBronze(deps: LineageDeps, sales: LineageSale[]): Promise<void> {
  if (!sales.length) return;
  const wanted = new Map<number, number[]>();
  for (const s of sales) wanted.set(s.partition, [...(wanted.get(s.partition) ?? []), s.offset]);
  const candidates = (await deps.ledger.files('bronze'))
    .filter((f) => f.parts.some((p) => wanted.get(p.partition)?.some((o) => o >= p.minOffset && o <= p.maxOffset)))
    .map((f) => f.key);
  if (!candidates.length) return;
  const local = await deps.lake.localPaths(candidates);
  const keyOf = new Map(local.map((p, i) => [p, candidates[i]]));
  const where = [...wanted]
    .map(([p, offsets]) => `(source_partition = ${p} AND source_offset IN (${offsets.join(', ')}))`)
    .join(' OR ');
  const duck = await deps.duck();
  const rows = (
    await duck.runAndReadAll(
      `SELECT source_partition, source_offset, epoch_ms(broker_time), key, value, filename
       FROM read_parquet(${sqlList(local)}, filename = true, union_by_name = true, hive_partitioning = false)
       WHERE ${where}`,
    )
  ).getRowsJS();
  const byId = new Map(sales.map((s) => [`${s.partition}:${s.offset}`, s]));
  for (const [p, o, brokerTime, key, value, file] of rows) {
    const sale = byId.get(`${Number(p)}:${Number(o)}`);
    if (!sale) continue;
    const k = key === null ? null : String(key);
    sale.bronze = { brokerTime: Number(brokerTime), key: k, value: String(value), file: keyOf.get(String(file)) ?? '' };
    if (sale.origin === 'stream' && isImported(k)) sale.origin = 'import';
  }
}
