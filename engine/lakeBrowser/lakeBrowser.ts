import type { LakeListing, LakePreview } from '../contract';
import { PulseError } from '../errors';
import { previewRows, readFooter } from '../services/lake/footer';
import { parseBatchKey } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { spanOf } from '../compaction/compactionKeys';
import { lakeView, resolveView } from '../compaction/lakeView';

/**
 * The lake browser's cheap reads, on the Host's thread: listings by prefix and Parquet footers
 * and first rows over byte ranges (hyparquet). Nothing here scans a file; SQL goes to lakeSql.ts
 * in its own worker.
 */

const MAX_FOOTERS = 200;

function checkKey(key: string, what: string): void {
  if (key.includes('..') || key.startsWith('/') || key.includes('\\'))
    throw new PulseError('config_invalid', `${what} must be a lake key, not a path: ${JSON.stringify(key)}`, {
      field: what,
    });
}

/** Files by source partition, then first offset, as numbers (0-2400 before 0-10773); others by key. */
export function byPartitionAndOffset(a: { key: string }, b: { key: string }): number {
  const x = parseBatchKey(a.key);
  const y = parseBatchKey(b.key);
  if (x && y) return x.partition - y.partition || x.first - y.first || x.last - y.last;
  if (x || y) return x ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export async function listLake(lake: Lake, prefix: string): Promise<LakeListing> {
  checkKey(prefix, 'prefix');
  if (prefix !== '' && !prefix.endsWith('/'))
    throw new PulseError('config_invalid', 'prefix must be empty or end with "/"', { field: 'prefix' });
  const [prefixes, objects] = await Promise.all([
    lake.listPrefixes(prefix),
    prefix === '' ? Promise.resolve([]) : lake.list(prefix),
  ]);
  // As compaction leaves the folder: a compacted file or the files it replaced, never both.
  const view = prefix === '' ? resolveView([], []) : await lakeView(lake, prefix, objects);
  const direct = view.visible.filter((o) => !o.key.slice(prefix.length).includes('/')).sort(byPartitionAndOffset);
  const files = await Promise.all(
    direct.map(async (o, i) => {
      // Footers are a few KB each; a huge folder shows sizes and offsets only beyond the first ones.
      const rows =
        i < MAX_FOOTERS
          ? await readFooter(lake, o.key).then(
              (f) => f.rows,
              () => null,
            )
          : null;
      const merged = view.byOutput.get(o.key);
      return {
        key: o.key,
        bytes: o.size,
        rows,
        offsets: parseBatchKey(o.key),
        ...(merged ? { compacted: { files: merged.leaves.length, covers: spanOf(merged.leaves) } } : {}),
      };
    }),
  );
  return { prefix, prefixes, files };
}

export async function previewFile(lake: Lake, key: string, limit = 100): Promise<LakePreview> {
  checkKey(key, 'key');
  if (!key.endsWith('.parquet'))
    throw new PulseError('config_invalid', 'only Parquet files can be previewed', { field: 'key' });
  const n = Math.max(1, Math.min(100, Math.floor(limit)));
  const footer = await readFooter(lake, key);
  const rows = await previewRows(lake, key, n);
  const columns = footer.columns.map((c) => c.name);
  return {
    key,
    bytes: footer.bytes,
    rows: footer.rows,
    rowGroups: footer.rowGroups,
    columns: footer.columns,
    preview: { columns, rows: rows.map((r) => columns.map((c) => r[c] ?? null)) },
  };
}
