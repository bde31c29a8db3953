import type { DuckDBConnection } from '@duckdb/node-api';
import { PulseError } from '../../errors';
import { ColumnBuffer, sqlList, sqlString } from '../../services/lake/duck';
import { CopyWriter } from '../../services/warehouse/copyBinary';
import { FACT_COLUMNS, type DimKeys, type LoadChunk } from '../../services/warehouse/port';

/**
 * A chunk of silver files as the warehouse loads it: DuckDB reads the Parquet, computes each
 * line's date key and resolves its store and product keys (the dim rows of its catalog version,
 * from the warehouse's DimKeys), and the rows are written as binary COPY pieces to a scratch file.
 * The chunk's customers and days are gathered on the way, in the same single pass.
 */

/**
 * Lines go to the warehouse in (transaction_id, line_no) order: fact_sales' primary key then takes
 * them page by page instead of at random (ids are UUIDs), which is cheaper the bigger it grows.
 */
const ORDER_FOR_PRIMARY_KEY = 'ORDER BY s.transaction_id, s.line_no';

/** The warehouse's keys as DuckDB tables, for one run (keys of an applied version never change). */
export async function loadDimKeys(duck: DuckDBConnection, keys: DimKeys): Promise<void> {
  const versions = new ColumnBuffer([
    ['version', 'VARCHAR'],
    ['version_no', 'INTEGER'],
  ]);
  keys.versions.forEach((v, i) => (versions.columns[0].push(v), versions.columns[1].push(i)));
  await versions.loadInto(duck, 'etl_versions');
  for (const [table, dim] of [
    ['etl_store_keys', keys.stores],
    ['etl_product_keys', keys.products],
  ] as const) {
    const b = new ColumnBuffer([
      ['version', 'VARCHAR'],
      ['id', 'INTEGER'],
      ['key', 'DOUBLE'],
    ]);
    b.columns[0].push(...dim.version);
    b.columns[1].push(...dim.id);
    b.columns[2].push(...dim.key);
    await b.loadInto(duck, table);
  }
}

export type PreparedChunk = Omit<LoadChunk, 'runId'>;

/**
 * Writes the chunk's fact rows to `scratch` and returns the chunk to load. Refuses (nothing
 * written) a line whose catalog version, store or product the warehouse does not have.
 */
export async function prepareChunk(
  duck: DuckDBConnection,
  keys: DimKeys,
  files: { key: string; path: string; rows: number }[],
  scratch: string,
  onSorted?: () => Promise<void>,
): Promise<PreparedChunk> {
  const fileTable = new ColumnBuffer([
    ['path', 'VARCHAR'],
    ['file_no', 'INTEGER'],
  ]);
  files.forEach((f, i) => (fileTable.columns[0].push(f.path), fileTable.columns[1].push(i)));
  await fileTable.loadInto(duck, 'etl_files');
  const source = `read_parquet(${sqlList(files.map((f) => f.path))}, filename = true, union_by_name = true)`;
  // Silver written before catalogs had versions has no catalog_version: it reads as the first one.
  const present = new Set(
    (await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowsJS().map((r) => String(r[0])),
  );
  const version = present.has('catalog_version') ? 's.catalog_version' : 'NULL::VARCHAR';
  const first = keys.versions.length ? sqlString(keys.versions[0]) : 'NULL';
  const result = await duck.stream(`
    SELECT s.transaction_id, s.line_no::INTEGER, (year(s.event_time) * 10000 + month(s.event_time) * 100 + day(s.event_time))::INTEGER,
      s.store_id::INTEGER, s.product_id::INTEGER, s.customer_id, epoch_us(s.event_time)::DOUBLE, s.quantity::INTEGER,
      (s.unit_price * 100)::BIGINT::DOUBLE, (s.line_amount * 100)::BIGINT::DOUBLE,
      f.file_no, k.key, p.key, v.version_no, ${version}
    FROM ${source} s
    JOIN etl_files f ON f.path = s.filename
    LEFT JOIN etl_versions v ON v.version = coalesce(${version}, ${first})
    LEFT JOIN etl_store_keys k ON k.version = v.version AND k.id = s.store_id
    LEFT JOIN etl_product_keys p ON p.version = v.version AND p.id = s.product_id
    ${ORDER_FOR_PRIMARY_KEY}`);
  const fileKeys = files.map((f) => Buffer.from(f.key, 'utf8'));
  const versionNames = keys.versions.map((v) => Buffer.from(v, 'utf8'));
  const customers = new Map<string, [first: number, last: number]>();
  const days = new Set<number>();
  const w = new CopyWriter(scratch, FACT_COLUMNS.length);
  try {
    let first = true;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      // The sort is done and held: the most DuckDB holds for a chunk (benches measure it here).
      if (first) await onSorted?.();
      first = false;
      const col = (i: number) => chunk.getColumnVector(i).toArray();
      const [txn, lineNo, dateKey, store, product, customer, us, qty, price, amount, fileNo] = [
        col(0) as (string | null)[],
        col(1) as (number | null)[],
        col(2) as number[],
        col(3) as (number | null)[],
        col(4) as (number | null)[],
        col(5) as (string | null)[],
        col(6) as number[],
        col(7) as (number | null)[],
        col(8) as (number | null)[],
        col(9) as (number | null)[],
        col(10) as number[],
      ];
      const [storeKey, productKey, versionNo] = [col(11), col(12), col(13)] as (number | null)[][];
      const n = chunk.rowCount;
      for (let r = 0; r < n; r++) {
        if (storeKey[r] === null || productKey[r] === null || versionNo[r] === null)
          throw unmatched(files[fileNo[r]].key, col(14)[r] as string | null, keys, store[r], product[r], versionNo[r]);
        w.row();
        text(w, txn[r]);
        if (lineNo[r] === null) w.nul();
        else w.int2(lineNo[r]!);
        w.int4(dateKey[r]);
        int4(w, store[r]);
        int4(w, product[r]);
        const c = customer[r];
        text(w, c);
        w.timestampUs(us[r]);
        int4(w, qty[r]);
        cents(w, price[r]);
        cents(w, amount[r]);
        w.bytes(fileKeys[fileNo[r]]);
        w.int8(storeKey[r]!);
        w.int8(productKey[r]!);
        w.bytes(versionNames[versionNo[r]!]);
        days.add(dateKey[r]);
        if (c !== null) {
          const seen = customers.get(c);
          if (!seen) customers.set(c, [us[r], us[r]]);
          else if (us[r] < seen[0]) seen[0] = us[r];
          else if (us[r] > seen[1]) seen[1] = us[r];
        }
      }
    }
  } catch (err) {
    w.discard();
    throw err;
  }
  const facts = w.close();
  const ids = [...customers.keys()];
  return {
    files: files.map((f) => ({ key: f.key, rows: f.rows })),
    facts,
    customers: {
      ids,
      first: ids.map((id) => isoUs(customers.get(id)![0])),
      last: ids.map((id) => isoUs(customers.get(id)![1])),
    },
    days: [...days]
      .sort((a, b) => a - b)
      .map((d) => `${Math.floor(d / 10000)}-${pad(Math.floor(d / 100) % 100)}-${pad(d % 100)}`),
  };
}

const text = (w: CopyWriter, v: string | null): void => (v === null ? w.nul() : w.text(v));
const int4 = (w: CopyWriter, v: number | null): void => (v === null ? w.nul() : w.int4(v));
const cents = (w: CopyWriter, v: number | null): void => (v === null ? w.nul() : w.cents(v));
const pad = (n: number): string => String(n).padStart(2, '0');

/** Microseconds since the epoch as ISO-8601 with all six digits (Date keeps three). */
function isoUs(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

function unmatched(
  file: string,
  silverVersion: string | null,
  keys: DimKeys,
  store: number | null,
  product: number | null,
  versionNo: number | null,
): PulseError {
  const version = silverVersion ?? keys.versions[0] ?? '(none)';
  const what =
    versionNo === null
      ? `catalog version ${version}, which the warehouse does not have`
      : store !== null && !keys.stores.id.some((id, i) => id === store && keys.stores.version[i] === version)
        ? `store ${store}, which catalog version ${version} does not have in the warehouse`
        : `product ${product}, which catalog version ${version} does not have in the warehouse`;
  return new PulseError(
    'warehouse_failed',
    `${file} has a line of ${what}: the warehouse's catalog history is behind the lake's (reference/catalog/); run the ETL again, it applies the missing versions first`,
  );
}
