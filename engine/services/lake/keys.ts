/** The lake's key layout (Hive-style partitions), one place for every writer and reader. */

export const LAYERS = {
  bronze: 'bronze/sales_transactions/',
  silver: 'silver/sales_lines/',
  quarantine: 'quarantine/sales_transactions/',
  gold: 'gold/daily_sales/',
} as const;
export type Layer = keyof typeof LAYERS;

export interface HourPartition {
  date: string; // YYYY-MM-DD
  hour: string; // HH
}

export function hourPartition(ms: number): HourPartition {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** `<layer>/date=YYYY-MM-DD/hour=HH/<partition>-<firstOffset>-<lastOffset>.parquet` */
export function batchFileKey(layer: Exclude<Layer, 'gold'>, at: HourPartition, partition: number, first: number, last: number): string {
  return `${LAYERS[layer]}date=${at.date}/hour=${at.hour}/${partition}-${first}-${last}.parquet`;
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
