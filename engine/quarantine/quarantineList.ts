import type { DuckDBConnection } from '@duckdb/node-api';
import type { QuarantineListing } from '../contract';
import type { Lake } from '../services/lake/port';
import {
  filterSql,
  quarantineFiles,
  STATE_COLUMNS,
  stateSql,
  toRecord,
  type QuarantineFilter,
} from './quarantineState';

/** Quarantined records matching `filter` (oldest first, at most `limit`), with counts of all of them. */
export async function listQuarantine(
  lake: Lake,
  duck: DuckDBConnection,
  filter: QuarantineFilter,
  limit = 200,
): Promise<QuarantineListing> {
  const where = filterSql(filter);
  const empty: QuarantineListing = { total: 0, open: 0, replayed: 0, byReason: {}, matching: 0, rows: [] };
  const files = await quarantineFiles(lake);
  const state = await stateSql(duck, files);
  if (!state) return empty;
  await duck.run(`CREATE OR REPLACE TEMP TABLE quarantine_state AS ${state}`);
  const counts = (
    await duck.runAndReadAll(
      `SELECT state, coalesce(reason, ''), count(*) FROM quarantine_state GROUP BY ALL ORDER BY ALL`,
    )
  ).getRowsJS();
  const out = { ...empty, byReason: {} as Record<string, number> };
  for (const [state, reason, n] of counts) {
    const count = Number(n);
    out.total += count;
    if (state === 'replayed') out.replayed += count;
    else {
      out.open += count;
      out.byReason[String(reason)] = (out.byReason[String(reason)] ?? 0) + count;
    }
  }
  out.matching = Number((await duck.runAndReadAll(`SELECT count(*) FROM quarantine_state ${where}`)).getRowsJS()[0][0]);
  const rows = (
    await duck.runAndReadAll(
      `SELECT ${STATE_COLUMNS.join(', ')} FROM quarantine_state ${where}
       ORDER BY broker_ms, source_partition, source_offset LIMIT ${Math.max(0, Math.floor(limit))}`,
    )
  ).getRowsJS();
  out.rows = rows.map((r) => {
    const rec = toRecord(r, files.keyOfPath);
    return {
      brokerTime: new Date(rec.brokerMs).toISOString(),
      partition: rec.partition,
      offset: rec.offset,
      transactionId: rec.transactionId,
      reason: rec.reason,
      originalReason: rec.originalReason,
      detail: rec.detail,
      state: rec.state,
      replayedAt: rec.replayedAtMs === null ? null : new Date(rec.replayedAtMs).toISOString(),
      wentTo: rec.wentTo,
      catalogVersion: rec.catalogVersion,
      raw: rec.raw.length > 2000 ? `${rec.raw.slice(0, 2000)}…` : rec.raw,
    };
  });
  await duck.run('DROP TABLE IF EXISTS quarantine_state');
  return out;
}
