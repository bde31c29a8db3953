import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { PRODUCTS, STORES } from '../../model/catalog';
import { sqlString } from '../../services/lake/duck';
import { batchFileKey } from '../../services/lake/keys';
import type { Lake } from '../../services/lake/port';
import { marker } from '../../stages/stream/checkpointChain';

/**
 * A day of the lake as the stream writes it at `rate` sales/s, generated fast (SQL, not the stream):
 * per partition and flush (every `flushSeconds`), one bronze and one silver file named by its offset
 * range, with the stream's columns and one row group each, plus the checkpoint saying those offsets
 * are the lake's (a base marker per partition). Sales have 1–4 lines of the built-in catalog.
 */
export interface DayOptions {
  date: string;
  hours: number;
  rate: number;
  partitions: number;
  flushSeconds: number;
  layers: ('bronze' | 'silver')[];
}

const q = (s: string) => sqlString(s);

function catalogTables(): string {
  const stores = STORES.map((s, i) => `(${i}, ${s.store_id}, ${q(s.name)}, ${q(s.city)}, ${q(s.region)})`).join(', ');
  const products = PRODUCTS.map(
    (p, i) => `(${i}, ${p.product_id}, ${q(p.name)}, ${q(p.category)}, ${(p.price ?? 10).toFixed(2)})`,
  ).join(', ');
  return `CREATE OR REPLACE TEMP TABLE st AS SELECT * FROM (VALUES ${stores}) t(i, store_id, store_name, city, region);
    CREATE OR REPLACE TEMP TABLE pr AS SELECT * FROM (VALUES ${products}) t(i, product_id, product_name, category, price);`;
}

/** The SELECT of one hour's rows of a layer, with the partition and flush each row's file is for. */
function hourSql(layer: 'bronze' | 'silver', o: DayOptions, hour: number): string {
  const perPartition = Math.round((o.rate * 3600) / o.partitions);
  const perFile = Math.round((o.rate * o.flushSeconds) / o.partitions);
  const start = `TIMESTAMPTZ '${o.date} 00:00:00+00' + INTERVAL ${hour} HOUR`;
  const sales = `SELECT i % ${o.partitions} AS p, i // ${o.partitions} AS k, ${hour * perPartition} + i // ${o.partitions} AS off,
      (hash(i, ${hour}) >> 1)::BIGINT AS h, ${start} + to_microseconds(((i // ${o.partitions}) * 3600000000 // ${perPartition})::BIGINT) AS ts
    FROM range(${perPartition * o.partitions}) r(i)`;
  const flush = `k // ${perFile} AS flush`;
  if (layer === 'bronze')
    return `SELECT p, ${flush}, p::INTEGER AS source_partition, off AS source_offset, ts AS broker_time,
        CAST(st.store_id AS VARCHAR) AS key,
        printf('{"transaction_id":"%s","timestamp_utc":"%s","store_id":%d,"customer_id":"cust_%d","products":[{"product_id":%d,"quantity":%d,"unit_price":%.2f}],"total_amount":%.2f}',
          md5(CAST(h AS VARCHAR)), strftime(ts, '%Y-%m-%dT%H:%M:%S.%f'), st.store_id, h % 5000, 101 + h % 34, 1 + h % 4, 10 + (h % 900) / 10, (1 + h % 4) * (10 + (h % 900) / 10)) AS value
      FROM (${sales}) s JOIN st ON st.i = s.h % ${STORES.length}
      ORDER BY p, off`;
  return `SELECT p, ${flush}, md5(CAST(h AS VARCHAR)) AS transaction_id, l.line_no::INTEGER AS line_no, ts AS event_time,
      st.store_id, st.store_name, st.city, st.region, 'cust_' || (h % 5000) AS customer_id, pr.product_id, pr.product_name,
      pr.category, (1 + (h >> l.line_no) % 4)::INTEGER AS quantity, pr.price::DECIMAL(12,2) AS unit_price,
      ((1 + (h >> l.line_no) % 4) * pr.price)::DECIMAL(12,2) AS line_amount, p::INTEGER AS source_partition,
      off AS source_offset, ts + INTERVAL 2 SECOND AS ingested_at, 'built-in' AS catalog_version
    FROM (${sales}) s JOIN st ON st.i = s.h % ${STORES.length},
      LATERAL (SELECT range + 1 AS line_no FROM range(1 + (s.h >> 7) % 4)) l
      JOIN pr ON pr.i = (s.h >> (8 + l.line_no)) % ${PRODUCTS.length}
    ORDER BY p, off, line_no`;
}

/** Into a folder lake by a bare rename (a benchmark's data needs no fsync per file); through put() otherwise. */
async function place(lake: Lake, root: string | null, key: string, file: string): Promise<void> {
  if (!root) return lake.put(key, file);
  const target = path.join(root, ...key.split('/'));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(file, target);
}

/** Writes the day into `lake` (`root`: its folder, when it is a folder lake). Returns the files written. */
export async function writeDay(
  lake: Lake,
  duck: DuckDBConnection,
  o: DayOptions,
  root: string | null = null,
): Promise<number> {
  await duck.run(catalogTables());
  const perPartition = Math.round((o.rate * 3600) / o.partitions);
  const perFile = Math.round((o.rate * o.flushSeconds) / o.partitions);
  let files = 0;
  for (let hour = 0; hour < o.hours; hour++) {
    const hk = `${o.date}/${String(hour).padStart(2, '0')}`;
    for (const layer of o.layers) {
      const dir = lake.scratchPath(`day-${layer}-${hour}`);
      fs.rmSync(dir, { recursive: true, force: true });
      await duck.run(
        `COPY (${hourSql(layer, o, hour)}) TO ${q(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (p, flush), OVERWRITE_OR_IGNORE true)`,
      );
      for (const pDir of fs.readdirSync(dir)) {
        const p = Number(pDir.split('=')[1]);
        for (const fDir of fs.readdirSync(path.join(dir, pDir))) {
          const flush = Number(fDir.split('=')[1]);
          const first = hour * perPartition + flush * perFile;
          const last = Math.min(first + perFile, (hour + 1) * perPartition) - 1;
          const parts = fs.readdirSync(path.join(dir, pDir, fDir)).map((f) => path.join(dir, pDir, fDir, f));
          let file = parts[0];
          if (parts.length > 1) {
            // DuckDB split this flush's rows over several files (its threads): one file, as the stream writes.
            file = path.join(dir, pDir, `${flush}.parquet`);
            await duck.run(
              `COPY (SELECT * FROM read_parquet([${parts.map(q).join(', ')}], hive_partitioning = false) ORDER BY ${layer === 'silver' ? 'source_offset, line_no' : 'source_offset'}) TO ${q(file)} (FORMAT parquet, COMPRESSION zstd)`,
            );
          }
          await place(lake, root, batchFileKey(layer, hk, p, first, last), file);
          files++;
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  // The checkpoint: every offset written is the lake's (as after a long run, folded into a base marker).
  for (let p = 0; p < o.partitions; p++) {
    const local = lake.scratchPath(`base-${p}.json`);
    fs.writeFileSync(local, JSON.stringify({ writer: 'dayOfFiles', at: new Date().toISOString() }));
    await lake.put(marker(p, 0, o.hours * perPartition - 1, 'base').key, local);
  }
  return files;
}
