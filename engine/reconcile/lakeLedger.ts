import type { DuckDBConnection } from '@duckdb/node-api';
import { parquetMetadataAsync, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { sqlList } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import type { Lake, LakeObject } from '../services/lake/port';
import { lakeView as compactionView, type LakeView as CompactionView } from '../compaction/lakeView';

export type LedgerLayer = 'bronze' | 'silver' | 'quarantine';

/** What one file holds of one source partition. */
export interface FilePart {
  partition: number;
  /** Records (bronze, quarantine) or lines (silver). */
  rows: number;
  /** Silver: distinct source records (sales); otherwise the records. */
  sales: number;
  /** Silver: revenue in cents; otherwise 0. */
  cents: number;
  minOffset: number;
  maxOffset: number;
  /** Silver: the newest event time; bronze and quarantine: the newest arrival (broker) time. Epoch ms. */
  newestMs: number | null;
  /** Silver: the oldest ingestion time (a replay's time for a replay file). */
  ingestedMs: number | null;
}

export interface LedgerFile {
  key: string;
  size: number;
  /** A quarantine replay's silver file (named replay-<id>-<n>.parquet). */
  replay: boolean;
  parts: FilePart[];
}

const SCAN_BATCH = 256;
const FOOTERS_AT_ONCE = 16;

/**
 * What every file of bronze, silver and quarantine holds, per source partition: rows, offsets,
 * newest time, and for silver sales and revenue. Files are immutable once in place, so each is
 * read once and remembered by key and size; a refresh lists the layer and reads only new files.
 * Bronze and quarantine come from their Parquet footers (row counts and min/max statistics, a
 * ranged read, no download from S3); silver needs its revenue, so DuckDB scans each new file once.
 * Everything is by source partition and offset as the files' contents say, never by file name, so
 * files merged or renamed (compaction) are read the same way. A layer is listed as every reader lists
 * it (compaction/lakeView.ts): a compacted file or the files it replaced, never both.
 */
export class LakeLedger {
  private readonly cache: Record<LedgerLayer, Map<string, LedgerFile>> = {
    bronze: new Map(),
    silver: new Map(),
    quarantine: new Map(),
  };
  private readonly refreshing: Partial<Record<LedgerLayer, Promise<LedgerFile[]>>> = {};
  private readonly views: Partial<Record<LedgerLayer, CompactionView>> = {};

  constructor(
    private readonly lake: Lake,
    private readonly duck: () => Promise<DuckDBConnection>,
  ) {}

  /** The layer's files now, read where new; concurrent callers share one refresh. */
  files(layer: LedgerLayer): Promise<LedgerFile[]> {
    const running = this.refreshing[layer];
    if (running) return running;
    const next = this.refresh(layer).finally(() => delete this.refreshing[layer]);
    this.refreshing[layer] = next;
    return next;
  }

  /** The compaction log as the last refresh of `layer` read it: which files a compacted one replaced. */
  compaction(layer: LedgerLayer): CompactionView | null {
    return this.views[layer] ?? null;
  }

  private async refresh(layer: LedgerLayer): Promise<LedgerFile[]> {
    const cache = this.cache[layer];
    const view = await compactionView(this.lake, LAYERS[layer]);
    this.views[layer] = view;
    const objects = view.visible;
    const present = new Set(objects.map((o) => o.key));
    for (const key of cache.keys()) if (!present.has(key)) cache.delete(key);
    const unread = objects.filter((o) => cache.get(o.key)?.size !== o.size);
    if (layer === 'silver') await this.scanSilver(unread);
    else await this.readFooters(unread);
    return objects.flatMap((o) => cache.get(o.key) ?? []);
  }

  private async readFooters(objects: LakeObject[]): Promise<void> {
    const needScan: LakeObject[] = [];
    for (let i = 0; i < objects.length; i += FOOTERS_AT_ONCE) {
      await Promise.all(
        objects.slice(i, i + FOOTERS_AT_ONCE).map(async (o) => {
          // A file removed between the listing and the read (crash recovery) is simply not counted.
          const parts = await footerParts(this.lake, o).catch(() => undefined);
          if (parts === undefined) return;
          if (parts === null) needScan.push(o);
          else this.cache[o.key.startsWith(LAYERS.bronze) ? 'bronze' : 'quarantine'].set(o.key, file(o, parts));
        }),
      );
    }
    // Files whose footer cannot say (several partitions in one file, no statistics): read the columns.
    for (const o of needScan) {
      const layer = o.key.startsWith(LAYERS.bronze) ? 'bronze' : 'quarantine';
      await this.scan(
        [o],
        layer,
        `count(*), count(*), 0, min(source_offset), max(source_offset), epoch_ms(max(broker_time)), NULL`,
      );
    }
  }

  private async scanSilver(objects: LakeObject[]): Promise<void> {
    for (let i = 0; i < objects.length; i += SCAN_BATCH)
      await this.scan(
        objects.slice(i, i + SCAN_BATCH),
        'silver',
        `count(*), count(DISTINCT source_offset), (sum(line_amount) * 100)::BIGINT, min(source_offset),
         max(source_offset), epoch_ms(max(event_time)), epoch_ms(min(ingested_at))`,
      );
  }

  /** Per file and source partition: the aggregates `select` names, in FilePart's order. */
  private async scan(objects: LakeObject[], layer: LedgerLayer, select: string): Promise<void> {
    if (!objects.length) return;
    const keys = objects.map((o) => o.key);
    const local = await this.lake.localPaths(keys).catch(() => null);
    if (!local) {
      // One of them went away meanwhile: read them one by one, keeping those still there.
      if (objects.length > 1) for (const o of objects) await this.scan([o], layer, select);
      return;
    }
    const keyOf = new Map(local.map((p, i) => [p, i]));
    const duck = await this.duck();
    const rows = (
      await duck.runAndReadAll(
        `SELECT filename, source_partition, ${select}
         FROM read_parquet(${sqlList(local)}, filename = true, union_by_name = true, hive_partitioning = false)
         GROUP BY ALL`,
      )
    ).getRowsJS();
    const parts = new Map<number, FilePart[]>(objects.map((_, i) => [i, []]));
    for (const [name, partition, rowCount, sales, cents, min, max, newest, ingested] of rows) {
      const i = keyOf.get(String(name));
      if (i === undefined) continue;
      parts.get(i)!.push({
        partition: Number(partition),
        rows: Number(rowCount),
        sales: Number(sales),
        cents: Number(cents),
        minOffset: Number(min),
        maxOffset: Number(max),
        newestMs: newest === null ? null : Number(newest),
        ingestedMs: ingested === null || ingested === undefined ? null : Number(ingested),
      });
    }
    objects.forEach((o, i) => this.cache[layer].set(o.key, file(o, parts.get(i)!)));
  }
}

function file(o: LakeObject, parts: FilePart[]): LedgerFile {
  return { key: o.key, size: o.size, replay: /\/replay-[^/]+\.parquet$/.test(o.key), parts };
}

function asyncBuffer(lake: Lake, key: string, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    slice: async (start: number, end?: number) => {
      const bytes = await lake.read(key, { start, end: end ?? byteLength });
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

const toNumber = (v: unknown): number | null =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : v instanceof Date ? v.getTime() : null;

/**
 * A bronze or quarantine file's part from its footer: rows, and min/max of its partition, offset
 * and arrival time. Null when the footer cannot tell (statistics missing, several partitions).
 */
async function footerParts(lake: Lake, o: LakeObject): Promise<FilePart[] | null> {
  const meta: FileMetaData = await parquetMetadataAsync(asyncBuffer(lake, o.key, o.size), {
    initialFetchSize: 16 * 1024,
  });
  const rows = Number(meta.num_rows);
  if (rows === 0) return [];
  const range = (column: string): [number, number] | null => {
    let lo: number | null = null;
    let hi: number | null = null;
    for (const rg of meta.row_groups) {
      const col = rg.columns.find((c) => c.meta_data?.path_in_schema.join('.') === column)?.meta_data;
      const min = toNumber(col?.statistics?.min_value);
      const max = toNumber(col?.statistics?.max_value);
      if (min === null || max === null) return null;
      lo = lo === null ? min : Math.min(lo, min);
      hi = hi === null ? max : Math.max(hi, max);
    }
    return lo === null || hi === null ? null : [lo, hi];
  };
  const partition = range('source_partition');
  const offsets = range('source_offset');
  if (!partition || !offsets || partition[0] !== partition[1]) return null;
  return [
    {
      partition: partition[0],
      rows,
      sales: rows,
      cents: 0,
      minOffset: offsets[0],
      maxOffset: offsets[1],
      newestMs: range('broker_time')?.[1] ?? null,
      ingestedMs: null,
    },
  ];
}
