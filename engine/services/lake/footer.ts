import {
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parseBatchKey } from './keys';
import type { Lake } from './port';

/**
 * What the lake browser shows of a file without scanning it: the footer (rows, row groups, schema,
 * min/max per column) and the first rows. hyparquet reads only the byte ranges it needs, so the
 * same code serves a local folder and S3.
 */
export interface FileFooter {
  key: string;
  bytes: number;
  rows: number;
  rowGroups: number;
  /** Source offsets the file covers, from its name (bronze, silver, quarantine). */
  offsets: { partition: number; first: number; last: number } | null;
  columns: { name: string; type: string; min: unknown; max: unknown; nulls: number | null }[];
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

/** JSON- and IPC-safe values: BigInt to number, dates to ISO strings. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  return v;
}

export async function readFooter(lake: Lake, key: string): Promise<FileFooter> {
  const bytes = await lake.size(key);
  const meta: FileMetaData = await parquetMetadataAsync(asyncBuffer(lake, key, bytes));
  const leaves = parquetSchema(meta).children;
  const columns = leaves.map((leaf, i) => {
    let min: unknown = null;
    let max: unknown = null;
    let nulls: number | null = 0;
    for (const rg of meta.row_groups) {
      const stats = rg.columns[i]?.meta_data?.statistics;
      const lo = plain(stats?.min_value ?? stats?.min);
      const hi = plain(stats?.max_value ?? stats?.max);
      if (lo !== undefined && lo !== null && (min === null || (lo as number) < (min as number))) min = lo;
      if (hi !== undefined && hi !== null && (max === null || (hi as number) > (max as number))) max = hi;
      nulls = stats?.null_count === undefined || nulls === null ? null : nulls + Number(stats.null_count);
    }
    const el = leaf.element;
    return {
      name: el.name,
      type: String(el.logical_type?.type ?? el.converted_type ?? el.type ?? 'GROUP'),
      min,
      max,
      nulls,
    };
  });
  return {
    key,
    bytes,
    rows: Number(meta.num_rows),
    rowGroups: meta.row_groups.length,
    offsets: parseBatchKey(key),
    columns,
  };
}

export async function previewRows(lake: Lake, key: string, limit = 100): Promise<Record<string, unknown>[]> {
  const file = asyncBuffer(lake, key, await lake.size(key));
  const rows = await parquetReadObjects({ file, rowEnd: limit, compressors });
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
}

/** Rows in a file of known size, from its footer alone: one small ranged read (two for a large footer). */
export async function readRowCount(lake: Lake, key: string, bytes: number): Promise<number> {
  const meta = await parquetMetadataAsync(asyncBuffer(lake, key, bytes), { initialFetchSize: 16 * 1024 });
  return Number(meta.num_rows);
}
