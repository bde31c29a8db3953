import { PulseError } from '../../errors';

/** The lake's key layout (Hive-style partitions), one place for every writer and reader. */

export const LAYERS = {
  bronze: 'bronze/sales_transactions/',
  silver: 'silver/sales_lines/',
  quarantine: 'quarantine/sales_transactions/',
  gold: 'gold/daily_sales/',
  /** What each quarantine replay did to each record it re-validated (lineage of quarantine). */
  replays: 'quarantine/replays/',
} as const;
export type Layer = keyof typeof LAYERS;

/** The lake's own bookkeeping beside the layers: its identity and the stream's offsets (see lakeCheckpoint.ts). */
export const CHECKPOINT = '_checkpoint/';

/**
 * One rule for every lake, folder or bucket: a key is a relative path of names. It never climbs
 * out of the lake's tree (`..`, a leading `/` or `\\`), and never names a hidden file (a folder
 * lake's temporary files, an S3 lake's cache and ETags), so a key the UI sends cannot reach them.
 */
export function checkLakeKey(key: string): void {
  if (key === '' || key.includes('..') || key.startsWith('/') || key.startsWith('.') || key.includes('\\'))
    throw new PulseError('config_invalid', `bad lake key ${JSON.stringify(key)}`, { field: 'key' });
}

const hourCache = new Map<number, string>();

/** The UTC hour partition of an epoch ms as 'YYYY-MM-DD/HH', cached per hour: called for every record. */
export function hourKey(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  let k = hourCache.get(h);
  if (k === undefined) {
    const iso = new Date(h * 3_600_000).toISOString();
    k = `${iso.slice(0, 10)}/${iso.slice(11, 13)}`;
    if (hourCache.size > 10_000) hourCache.clear();
    hourCache.set(h, k);
  }
  return k;
}

/** `<layer>/date=YYYY-MM-DD/hour=HH/<partition>-<firstOffset>-<lastOffset>.parquet`, for an hourKey(). */
export function batchFileKey(
  layer: 'bronze' | 'silver' | 'quarantine',
  hour: string,
  partition: number,
  first: number,
  last: number,
): string {
  const [date, hh] = hour.split('/');
  return `${LAYERS[layer]}date=${date}/hour=${hh}/${partition}-${first}-${last}.parquet`;
}

/** A replay's silver file for one event hour: named after the replay, not an offset range. */
export function replaySilverKey(hour: string, replayId: string): string {
  const [date, hh] = hour.split('/');
  return `${LAYERS.silver}date=${date}/hour=${hh}/replay-${replayId}.parquet`;
}

export function replayLogKey(replayId: string): string {
  return `${LAYERS.replays}${replayId}.parquet`;
}

export function goldFileKey(date: string): string {
  return `${LAYERS.gold}date=${date}/daily_sales.parquet`;
}

const BATCH_FILE = /\/(\d+)-(\d+)-(\d+)\.parquet$/;

/** Source partition and offset range a batch file covers, from its name. */
export function parseBatchKey(key: string): { partition: number; first: number; last: number } | null {
  const m = BATCH_FILE.exec(key);
  return m ? { partition: Number(m[1]), first: Number(m[2]), last: Number(m[3]) } : null;
}
