import { randomBytes, randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReplayResult } from '../contract';
import type { CatalogIndex } from '../model/catalog';
import { isImported } from '../model/sale';
import { validateSale, type RejectedSale, type ValidSale } from '../model/validate';
import { REPLAY_OWNER } from '../dedupe/idIndex';
import { ColumnBuffer, sqlString } from '../services/lake/duck';
import { hourKey, replayLogKey, replaySilverKey } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import type { MetricsBatch } from '../services/metrics/port';
import type { LakeWriter } from '../stages/stream/lakeWriter';
import { PartitionBuffer } from '../stages/stream/lakeWriter';
import {
  filterSql,
  quarantineFiles,
  STATE_COLUMNS,
  stateSql,
  toRecord,
  type QuarantineFilter,
  type QuarantineRecord,
} from './quarantineState';

/** The metrics store's pseudo-partition for replayed sales: their revenue reaches the windows once, as late. */
export const REPLAY_METRICS_PARTITION = 1_000_000;
/** Candidates judged (and checked against silver) per round; replayed sales written per silver file set. */
const ROUND = 50_000;

/** What a replay needs to know about transaction ids (the stream's IdIndex, or the lake alone). */
export interface ReplayIds {
  confirm(ids: readonly string[]): Promise<Set<string>>;
  claim(owner: number, id: string): boolean;
  settled(ids: Iterable<string>): void;
  drop(owner: number): void;
}

export interface ReplayDeps {
  lake: Lake;
  /** A connection of its own (not the stream writer's). */
  duck: DuckDBConnection;
  writer: LakeWriter;
  catalog: CatalogIndex;
  ids: ReplayIds;
}

const LOG = [
  ['source_partition', 'INTEGER'],
  ['source_offset', 'DOUBLE'],
  ['transaction_id', 'VARCHAR'],
  ['replayed_ms', 'DOUBLE'],
  ['outcome', 'VARCHAR'],
  ['reason', 'VARCHAR'],
  ['detail', 'VARCHAR'],
  ['catalog_version', 'VARCHAR'],
  ['silver_file', 'VARCHAR'],
] as const;

/**
 * Validates open quarantined records again, with today's rules and `catalog`, against their
 * original arrival time (so future/stale verdicts do not drift). Now-valid sales go to silver once
 * (a transaction silver already holds, or another copy in this replay, is a duplicate), keeping
 * their event time and source partition and offset; the rest stay with their new reason. Only
 * changes are logged, so replaying again changes nothing.
 */
export async function replayQuarantine(
  deps: ReplayDeps,
  filter: QuarantineFilter,
): Promise<{ result: ReplayResult; metrics: MetricsBatch | null }> {
  const replayedAt = Date.now();
  const replayId = `${new Date(replayedAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const result: ReplayResult = {
    replayId,
    replayedAt,
    catalogVersion: deps.catalog.version,
    candidates: 0,
    toSilver: 0,
    stillQuarantined: 0,
    unchanged: 0,
    byReason: {},
    silverFiles: [],
    lines: 0,
    revenue: 0,
    etl: null,
  };
  const files = await quarantineFiles(deps.lake);
  const state = await stateSql(deps.duck, files);
  if (!state) return { result, metrics: null };
  const where = filterSql({ ...filter, state: 'open' });
  const stream = await deps.duck.stream(
    `SELECT ${STATE_COLUMNS.join(', ')} FROM (${state}) ${where} ORDER BY broker_ms, source_partition, source_offset`,
  );
  const log = new ColumnBuffer(LOG);
  let revenueCents = 0;
  let part = 0;
  let round: QuarantineRecord[] = [];
  const claimed: string[] = [];
  try {
    const judge = async (): Promise<void> => {
      const verdicts = round.map((r) => validateSale(r.raw, r.brokerMs, deps.catalog, isImported(r.key)));
      const valid = verdicts.filter((v): v is ValidSale => v.ok).map((v) => v.transactionId);
      const durable = valid.length ? await deps.ids.confirm(valid) : new Set<string>();
      const buf = new PartitionBuffer(-1);
      const pushLog = (
        r: QuarantineRecord,
        outcome: string,
        reason: string | null,
        detail: string | null,
        file: string | null,
      ) => {
        const values = [
          r.partition,
          r.offset,
          r.transactionId,
          replayedAt,
          outcome,
          reason,
          detail,
          deps.catalog.version,
          file,
        ];
        values.forEach((value, i) => log.columns[i].push(value));
      };
      round.forEach((r, i) => {
        let v = verdicts[i];
        if (v.ok && (durable.has(v.transactionId) || !deps.ids.claim(REPLAY_OWNER, v.transactionId)))
          v = duplicate(v.transactionId);
        if (v.ok) {
          claimed.push(v.transactionId);
          buf.addSale(
            { partition: r.partition, offset: r.offset, timestamp: r.brokerMs, key: r.key, value: r.raw },
            v,
            replayedAt,
          );
          result.toSilver++;
          result.lines += v.lines.length;
          revenueCents += v.totalCents;
          pushLog(r, 'silver', null, null, replaySilverKey(hourKey(v.eventMs), `${replayId}-${part}`));
        } else if (v.reason === r.reason && v.detail === r.detail) result.unchanged++;
        else {
          result.stillQuarantined++;
          result.byReason[v.reason] = (result.byReason[v.reason] ?? 0) + 1;
          pushLog(r, 'quarantine', v.reason, v.detail, null);
        }
      });
      // Silver first: once these files exist the records count as replayed, whatever happens next.
      const written = await deps.writer.writeSilver(buf, (hk) => replaySilverKey(hk, `${replayId}-${part}`));
      part++;
      result.silverFiles.push(...written);
      deps.ids.settled(claimed.splice(0));
      round = [];
    };
    for (;;) {
      const chunk = await stream.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const row of chunk.getRows()) {
        round.push(toRecord(row, files.keyOfPath));
        result.candidates++;
      }
      if (round.length >= ROUND) await judge();
    }
    if (round.length) await judge();
  } catch (err) {
    deps.ids.drop(REPLAY_OWNER);
    throw err;
  }
  if (log.rowCount) await writeLog(deps, log, replayId);
  result.revenue = revenueCents / 100;
  const metrics: MetricsBatch | null = result.toSilver
    ? {
        partition: REPLAY_METRICS_PARTITION,
        firstOffset: replayedAt,
        lastOffset: replayedAt,
        windows: [],
        late: { records: result.toSilver, revenueCents },
        latency: {},
      }
    : null;
  return { result, metrics };
}

function duplicate(id: string): RejectedSale {
  return {
    ok: false,
    reason: 'duplicate_transaction',
    detail: `transaction ${id} was already accepted`,
    transactionId: id,
  };
}

async function writeLog(deps: ReplayDeps, log: ColumnBuffer, replayId: string): Promise<void> {
  await log.loadInto(deps.duck, 'replay_log');
  const scratch = deps.lake.scratchPath(`${randomUUID()}.parquet`);
  await deps.duck.run(
    `COPY (SELECT source_partition, source_offset::BIGINT AS source_offset, transaction_id, ${sqlString(replayId)} AS replay_id,
        make_timestamp((replayed_ms * 1000)::BIGINT)::TIMESTAMPTZ AS replayed_at, outcome, reason, detail, catalog_version, silver_file
      FROM replay_log ORDER BY source_partition, source_offset)
     TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  await deps.lake.put(replayLogKey(replayId), scratch);
}
