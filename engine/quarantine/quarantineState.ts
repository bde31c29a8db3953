import type { DuckDBConnection } from '@duckdb/node-api';
import { PulseError } from '../errors';
import { sqlList, sqlString } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { visibleKeys } from '../compaction/lakeView';
import { parseTimestampUs } from '../model/timestamp';

/**
 * Each quarantined record's state, from the lake alone: the stream's quarantine files (what came in
 * and why it was refused), the replay log (what each replay concluded), and the silver files replays
 * wrote (where a record went). A record is `replayed` once a replay's silver file holds its source
 * partition and offset, `open` otherwise, with its latest reason.
 */

export interface QuarantineFilter {
  /** The record's current reason (after any replay). */
  reason?: string;
  /** Arrival (broker) time, inclusive; any ISO-8601 form the validator accepts. */
  from?: string;
  /** Arrival time, exclusive. */
  to?: string;
  state?: 'open' | 'replayed';
}

export interface QuarantineRecord {
  partition: number;
  offset: number;
  brokerMs: number;
  transactionId: string | null;
  reason: string | null;
  originalReason: string;
  detail: string | null;
  state: 'open' | 'replayed';
  replayedAtMs: number | null;
  /** The silver file a replay put it in (a lake key). */
  wentTo: string | null;
  raw: string;
  key: string | null;
  catalogVersion: string | null;
}

const COLUMNS = [
  'source_partition',
  'source_offset',
  'broker_ms',
  'transaction_id',
  'reason',
  'original_reason',
  'detail',
  'state',
  'replayed_ms',
  'went_to',
  'raw',
  'key',
  'catalog_version',
] as const;

/** The files the state is read from, and a way back from DuckDB's local paths to lake keys. */
export interface QuarantineFiles {
  quarantine: string[];
  log: string[];
  replaySilver: string[];
  keyOfPath: Map<string, string>;
}

export async function quarantineFiles(lake: Lake): Promise<QuarantineFiles> {
  const parquet = async (prefix: string, match: (k: string) => boolean = () => true): Promise<string[]> =>
    (await visibleKeys(lake, prefix)).filter(match);
  const q = await parquet(LAYERS.quarantine);
  const log = await parquet(LAYERS.replays);
  const silver = await parquet(LAYERS.silver, (k) => /\/replay-[^/]+\.parquet$/.test(k));
  const keys = [...q, ...log, ...silver];
  const paths = await lake.localPaths(keys);
  const keyOfPath = new Map(paths.map((p, i) => [p, keys[i]]));
  return {
    quarantine: paths.slice(0, q.length),
    log: paths.slice(q.length, q.length + log.length),
    replaySilver: paths.slice(q.length + log.length),
    keyOfPath,
  };
}

/** The SELECT of every quarantined record's state (empty when there is no quarantine file). */
export async function stateSql(duck: DuckDBConnection, f: QuarantineFiles): Promise<string | null> {
  if (!f.quarantine.length) return null;
  const q = `read_parquet(${sqlList(f.quarantine)}, union_by_name = true, hive_partitioning = false)`;
  const have = new Set((await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${q}`)).getRowsJS().map((r) => String(r[0])));
  // Files from before quarantine kept the key and catalog version have neither column.
  const opt = (c: string) => (have.has(c) ? `q.${c}` : `NULL::VARCHAR`);
  const log = f.log.length
    ? `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY source_partition, source_offset ORDER BY replayed_at DESC) AS rn
         FROM read_parquet(${sqlList(f.log)})) WHERE rn = 1`
    : `SELECT NULL::INTEGER AS source_partition, NULL::BIGINT AS source_offset, NULL::TIMESTAMPTZ AS replayed_at,
         NULL::VARCHAR AS reason, NULL::VARCHAR AS detail, NULL::VARCHAR AS catalog_version WHERE false`;
  const moved = f.replaySilver.length
    ? `SELECT source_partition, source_offset, min(ingested_at) AS replayed_at, min(filename) AS file
         FROM read_parquet(${sqlList(f.replaySilver)}, filename = true, union_by_name = true) GROUP BY ALL`
    : `SELECT NULL::INTEGER AS source_partition, NULL::BIGINT AS source_offset, NULL::TIMESTAMPTZ AS replayed_at,
         NULL::VARCHAR AS file WHERE false`;
  return `WITH log AS (${log}), moved AS (${moved})
    SELECT q.source_partition, q.source_offset, epoch_ms(q.broker_time) AS broker_ms, q.transaction_id,
      CASE WHEN m.source_offset IS NULL THEN coalesce(log.reason, q.reason) END AS reason,
      q.reason AS original_reason,
      CASE WHEN m.source_offset IS NULL THEN coalesce(log.detail, q.detail) END AS detail,
      CASE WHEN m.source_offset IS NULL THEN 'open' ELSE 'replayed' END AS state,
      epoch_ms(coalesce(m.replayed_at, log.replayed_at)) AS replayed_ms,
      m.file AS went_to, q.raw, ${opt('key')} AS key,
      coalesce(log.catalog_version, ${opt('catalog_version')}) AS catalog_version
    FROM ${q} q LEFT JOIN log USING (source_partition, source_offset) LEFT JOIN moved m USING (source_partition, source_offset)`;
}

/** The WHERE clause of a filter; bad times are refused with the field named. */
export function filterSql(filter: QuarantineFilter): string {
  const where: string[] = [];
  if (filter.reason) where.push(`reason = ${sqlString(filter.reason)}`);
  if (filter.state) where.push(`state = ${sqlString(filter.state)}`);
  for (const [field, op] of [
    ['from', '>='],
    ['to', '<'],
  ] as const) {
    const text = filter[field];
    if (text === undefined || text === '') continue;
    const us = parseTimestampUs(text);
    if (Number.isNaN(us))
      throw new PulseError(
        'config_invalid',
        `${field} ${JSON.stringify(text)} is not a time: use ISO-8601, e.g. 2026-11-29T07:00:00Z (UTC when no zone)`,
        { field },
      );
    where.push(`broker_ms ${op} ${Math.floor(us / 1000)}`);
  }
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

export function toRecord(row: readonly unknown[], keyOfPath: ReadonlyMap<string, string>): QuarantineRecord {
  const v = Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]])) as Record<(typeof COLUMNS)[number], unknown>;
  const str = (x: unknown) => (x === null || x === undefined ? null : String(x));
  const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));
  return {
    partition: Number(v.source_partition),
    offset: Number(v.source_offset),
    brokerMs: Number(v.broker_ms),
    transactionId: str(v.transaction_id),
    reason: str(v.reason),
    originalReason: String(v.original_reason),
    detail: str(v.detail),
    state: v.state === 'replayed' ? 'replayed' : 'open',
    replayedAtMs: num(v.replayed_ms),
    wentTo: v.went_to === null ? null : (keyOfPath.get(String(v.went_to)) ?? String(v.went_to)),
    raw: String(v.raw),
    key: str(v.key),
    catalogVersion: str(v.catalog_version),
  };
}

export const STATE_COLUMNS = COLUMNS;
