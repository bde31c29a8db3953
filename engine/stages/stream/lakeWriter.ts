import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogIndex } from '../../model/catalog';
import type { BrokerRecord } from '../../services/broker/port';
import type { RejectedSale, ValidSale } from '../../model/validate';
import { ColumnBuffer, duckMemoryBytes, sqlString } from '../../services/lake/duck';
import { batchFileKey, hourKey } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';

const BRONZE = [
  ['hour_key', 'VARCHAR'],
  ['source_partition', 'INTEGER'],
  ['source_offset', 'DOUBLE'],
  ['broker_ms', 'DOUBLE'],
  ['key', 'VARCHAR'],
  ['value', 'VARCHAR'],
] as const;
const SILVER = [
  ['hour_key', 'VARCHAR'],
  ['transaction_id', 'VARCHAR'],
  ['line_no', 'INTEGER'],
  // Microseconds since the epoch: a double holds them exactly until the year 2255.
  ['event_us', 'DOUBLE'],
  ['store_id', 'INTEGER'],
  ['customer_id', 'VARCHAR'],
  ['product_id', 'INTEGER'],
  ['quantity', 'INTEGER'],
  ['price_cents', 'INTEGER'],
  ['amount_cents', 'INTEGER'],
  ['source_partition', 'INTEGER'],
  ['source_offset', 'DOUBLE'],
  ['ingested_ms', 'DOUBLE'],
  ['catalog_version', 'VARCHAR'],
] as const;
const QUARANTINE = [
  ['hour_key', 'VARCHAR'],
  ['source_partition', 'INTEGER'],
  ['source_offset', 'DOUBLE'],
  ['broker_ms', 'DOUBLE'],
  ['transaction_id', 'VARCHAR'],
  ['reason', 'VARCHAR'],
  ['detail', 'VARCHAR'],
  ['raw', 'VARCHAR'],
  ['key', 'VARCHAR'],
  ['catalog_version', 'VARCHAR'],
] as const;

const ts = (col: string): string => `make_timestamp((${col} * 1000)::BIGINT)::TIMESTAMPTZ`;
const tsUs = (col: string): string => `make_timestamp(${col}::BIGINT)::TIMESTAMPTZ`;

/** What each layer's Parquet holds, as SELECTs over the staging tables. */
const LAYER_SQL = {
  bronze: `SELECT source_partition, source_offset::BIGINT AS source_offset, ${ts('broker_ms')} AS broker_time, key, value FROM bronze_buf`,
  silver: `SELECT s.transaction_id, s.line_no, ${tsUs('s.event_us')} AS event_time, s.store_id, st.name AS store_name, st.city, st.region,
      s.customer_id, s.product_id, pr.name AS product_name, pr.category, s.quantity,
      (s.price_cents / 100)::DECIMAL(12,2) AS unit_price, (s.amount_cents / 100)::DECIMAL(12,2) AS line_amount,
      s.source_partition, s.source_offset::BIGINT AS source_offset, ${ts('s.ingested_ms')} AS ingested_at, s.catalog_version
    FROM silver_buf s JOIN catalog_store st USING (catalog_version, store_id) JOIN catalog_product pr USING (catalog_version, product_id)`,
  quarantine: `SELECT source_partition, source_offset::BIGINT AS source_offset, ${ts('broker_ms')} AS broker_time, transaction_id, reason, detail, raw, key, catalog_version FROM quarantine_buf`,
} as const;
type BatchLayer = keyof typeof LAYER_SQL;

export interface FlushResult {
  partition: number;
  firstOffset: number;
  lastOffset: number;
  files: string[];
  records: number;
  silverLines: number;
  quarantined: number;
}

/**
 * Buffers one partition's consumed records for bronze, silver and quarantine, then writes each
 * layer's Parquet files for the buffered offset range. Files are named by that range, so a replay
 * after a crash produces the same names.
 */
export class PartitionBuffer {
  readonly bronze = new ColumnBuffer(BRONZE);
  readonly silver = new ColumnBuffer(SILVER);
  readonly quarantine = new ColumnBuffer(QUARANTINE);
  firstOffset = -1;
  lastOffset = -1;
  /** The raw records' text held (values and keys, in UTF-16 code units): what the stream's memory cap counts. */
  bytes = 0;
  /** The catalog versions its sales were enriched with: the writer makes them joinable first. */
  readonly catalogs = new Map<string, CatalogIndex>();

  constructor(readonly partition: number) {}

  get records(): number {
    return this.bronze.rowCount;
  }

  addRaw(rec: BrokerRecord): void {
    if (this.firstOffset < 0) this.firstOffset = rec.offset;
    this.lastOffset = rec.offset;
    this.bytes += rec.value.length + (rec.key?.length ?? 0);
    const c = this.bronze.columns;
    c[0].push(hourKey(rec.timestamp));
    c[1].push(rec.partition);
    c[2].push(rec.offset);
    c[3].push(rec.timestamp);
    c[4].push(rec.key);
    c[5].push(rec.value);
  }

  addSale(rec: BrokerRecord, sale: ValidSale, ingestedMs: number): void {
    const c = this.silver.columns;
    const hk = hourKey(sale.eventMs);
    const version = sale.catalog.version;
    if (!this.catalogs.has(version)) this.catalogs.set(version, sale.catalog);
    for (const line of sale.lines) {
      c[0].push(hk);
      c[1].push(sale.transactionId);
      c[2].push(line.line_no);
      c[3].push(sale.eventUs);
      c[4].push(sale.storeId);
      c[5].push(sale.customerId);
      c[6].push(line.product_id);
      c[7].push(line.quantity);
      c[8].push(line.priceCents);
      c[9].push(line.amountCents);
      c[10].push(rec.partition);
      c[11].push(rec.offset);
      c[12].push(ingestedMs);
      c[13].push(version);
    }
  }

  /** `catalogVersion`: the catalog it was judged with. */
  addRejected(rec: BrokerRecord, verdict: RejectedSale, catalogVersion: string): void {
    const c = this.quarantine.columns;
    c[0].push(hourKey(rec.timestamp));
    c[1].push(rec.partition);
    c[2].push(rec.offset);
    c[3].push(rec.timestamp);
    c[4].push(verdict.transactionId);
    c[5].push(verdict.reason);
    c[6].push(verdict.detail);
    c[7].push(rec.value);
    c[8].push(rec.key);
    c[9].push(catalogVersion);
  }

  reset(): void {
    this.bronze.clear();
    this.silver.clear();
    this.quarantine.clear();
    this.catalogs.clear();
    this.firstOffset = this.lastOffset = -1;
    this.bytes = 0;
  }
}

export class LakeWriter {
  /** Catalog versions already in the catalog_store / catalog_product tables. */
  private readonly loaded = new Set<string>();
  /** DuckDB's memory at the last flush, its staging tables loaded (bytes). */
  duckBytes = 0;
  /** Time spent appending rows to the staging tables, and in the COPYs that write Parquet (ms, since created). */
  appendMs = 0;
  copyMs = 0;

  private constructor(
    private readonly duck: DuckDBConnection,
    private readonly lake: Lake,
  ) {}

  static async create(duck: DuckDBConnection, lake: Lake): Promise<LakeWriter> {
    await duck.run(
      'CREATE OR REPLACE TABLE catalog_store (catalog_version VARCHAR, store_id INTEGER, name VARCHAR, city VARCHAR, region VARCHAR)',
    );
    await duck.run(
      'CREATE OR REPLACE TABLE catalog_product (catalog_version VARCHAR, product_id INTEGER, name VARCHAR, category VARCHAR)',
    );
    return new LakeWriter(duck, lake);
  }

  /** The keys flush() will write for this buffer (an intent names them before they exist). */
  plan(buf: PartitionBuffer): string[] {
    return (['bronze', 'silver', 'quarantine'] as const).flatMap((layer) =>
      buf[layer].rowCount === 0
        ? []
        : distinctHours(buf[layer]).map((hk) =>
            batchFileKey(layer, hk, buf.partition, buf.firstOffset, buf.lastOffset),
          ),
    );
  }

  /** Silver joins each line with the stores and products of the version it was validated against. */
  private async loadCatalogs(versions: ReadonlyMap<string, CatalogIndex>): Promise<void> {
    for (const [version, c] of versions) {
      if (this.loaded.has(version)) continue;
      const stores = new ColumnBuffer([
        ['catalog_version', 'VARCHAR'],
        ['store_id', 'INTEGER'],
        ['name', 'VARCHAR'],
        ['city', 'VARCHAR'],
        ['region', 'VARCHAR'],
      ]);
      for (const s of c.stores.values())
        stores.columns.forEach((col, i) => col.push([version, s.store_id, s.name, s.city, s.region][i]));
      const products = new ColumnBuffer([
        ['catalog_version', 'VARCHAR'],
        ['product_id', 'INTEGER'],
        ['name', 'VARCHAR'],
        ['category', 'VARCHAR'],
      ]);
      for (const p of c.products.values())
        products.columns.forEach((col, i) => col.push([version, p.product_id, p.name, p.category][i]));
      await stores.loadInto(this.duck, 'catalog_store_in');
      await products.loadInto(this.duck, 'catalog_product_in');
      await this.duck.run('INSERT INTO catalog_store SELECT * FROM catalog_store_in');
      await this.duck.run('INSERT INTO catalog_product SELECT * FROM catalog_product_in');
      this.loaded.add(version);
    }
  }

  /** Writes the buffer's files (each durable and atomic) and returns what was written. */
  async flush(buf: PartitionBuffer): Promise<FlushResult> {
    const result: FlushResult = {
      partition: buf.partition,
      firstOffset: buf.firstOffset,
      lastOffset: buf.lastOffset,
      files: [],
      records: buf.records,
      silverLines: buf.silver.rowCount,
      quarantined: buf.quarantine.rowCount,
    };
    await this.loadCatalogs(buf.catalogs);
    for (const layer of ['bronze', 'silver', 'quarantine'] as const) {
      const rows = buf[layer];
      if (rows.rowCount === 0) continue;
      const t0 = performance.now();
      await rows.loadInto(this.duck, `${layer}_buf`);
      this.appendMs += performance.now() - t0;
      for (const hk of distinctHours(rows)) {
        result.files.push(await this.writeFile(layer, hk, buf));
      }
    }
    this.duckBytes = await duckMemoryBytes(this.duck);
    // The staging tables go now rather than at the next flush: DuckDB's memory is the copy's only while it writes.
    for (const layer of ['bronze', 'silver', 'quarantine'] as const)
      await this.duck.run(`DROP TABLE IF EXISTS ${layer}_buf`);
    return result;
  }

  /**
   * Only the silver layer, one file per event hour at `keyFor(hour)`: sales a quarantine replay
   * accepted, from any partitions (each row keeps its source partition and offset).
   */
  async writeSilver(buf: PartitionBuffer, keyFor: (hourKey: string) => string): Promise<string[]> {
    if (buf.silver.rowCount === 0) return [];
    await this.loadCatalogs(buf.catalogs);
    await buf.silver.loadInto(this.duck, 'silver_buf');
    const files: string[] = [];
    for (const hk of distinctHours(buf.silver)) files.push(await this.writeFile('silver', hk, buf, keyFor(hk)));
    return files;
  }

  private async writeFile(
    layer: BatchLayer,
    hk: string,
    buf: PartitionBuffer,
    key = batchFileKey(layer, hk, buf.partition, buf.firstOffset, buf.lastOffset),
  ): Promise<string> {
    const scratch = this.lake.scratchPath(`${randomUUID()}.parquet`);
    // ZSTD level 1: about 40% less compression time than the default 3 on this data, files no larger.
    // Bronze and quarantine rows were appended in offset order and a filter keeps it (DuckDB
    // preserves insertion order): no sort. Silver's join does not keep it, so silver is sorted.
    const order = layer === 'silver' ? ' ORDER BY source_offset, line_no' : '';
    const t0 = performance.now();
    await this.duck.run(
      `COPY (SELECT * FROM (${LAYER_SQL[layer]} WHERE ${layer === 'silver' ? 's.' : ''}hour_key = ${sqlString(hk)})${order}) TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 100000)`,
    );
    this.copyMs += performance.now() - t0;
    await this.lake.put(key, scratch);
    return key;
  }
}

function distinctHours(rows: ColumnBuffer): string[] {
  return [...new Set(rows.columns[0] as string[])].sort();
}
