import type { DuckDBConnection } from '@duckdb/node-api';
import { PulseError } from '../errors';
import type { Broker, BrokerRecord } from '../services/broker/port';
import { sqlList } from '../services/lake/duck';
import { LAYERS, parseBatchKey } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import type { TopicMessage, TopicSearchHit, TopicSearchResult } from '../topicsContract';
import { lakeNext } from './lakeNext';
import { toMessage } from './topicPages';

export interface SearchDeps {
  broker: Broker;
  lake: Lake;
  duck: DuckDBConnection;
  topic: string;
}

/** Log records scanned per read past the lake's checkpoint. */
const SCAN_PAGE = 5_000;
export const MAX_ID_LENGTH = 200;

export function checkTransactionId(raw: unknown): string {
  const id = typeof raw === 'string' ? raw.trim() : '';
  if (!id || id.length > MAX_ID_LENGTH)
    throw new PulseError('config_invalid', `a transaction id is 1 to ${MAX_ID_LENGTH} characters`, {
      field: 'transactionId',
    });
  return id;
}

const parquetKeys = async (lake: Lake, prefix: string) =>
  (await lake.list(prefix)).map((o) => o.key).filter((k) => k.endsWith('.parquet'));

/** The record is the transaction's: its transaction_id is the id, or it is not even JSON and holds the id as text. */
function isTransaction(value: string, id: string): boolean {
  if (!value.includes(id)) return false;
  try {
    const v = JSON.parse(value) as { transaction_id?: unknown } | null;
    return typeof v === 'object' && v !== null ? v.transaction_id === id : false;
  } catch {
    return true;
  }
}

/**
 * Every record of the topic carrying a transaction id, and where each went. The lake answers for
 * what it holds (every record ends in silver or quarantine, so their transaction_id columns cover
 * bronze without reading its raw values); the log is scanned only past the lake's checkpoint, for
 * what the stream has not written yet. Each hit's record comes from the log, or from its bronze
 * file when retention removed it from the log.
 */
export async function searchTransaction(deps: SearchDeps, rawId: string): Promise<TopicSearchResult> {
  const id = checkTransactionId(rawId);
  const started = performance.now();
  const { broker, lake, duck, topic } = deps;
  const [earliest, end] = await Promise.all([broker.earliestOffsets(topic), broker.endOffsets(topic)]);
  const through = (await lakeNext(lake, end.length)).map((x) => x ?? 0);

  const lakeStarted = performance.now();
  const found = new Map<string, TopicSearchHit>();
  const hit = (partition: number, offset: number): TopicSearchHit => {
    const k = `${partition}:${offset}`;
    let h = found.get(k);
    if (!h) {
      h = { partition, offset, place: 'log', reason: null, replayed: false, message: null, from: null };
      found.set(k, h);
    }
    return h;
  };
  const quarantine = await parquetKeys(lake, LAYERS.quarantine);
  const silver = await parquetKeys(lake, LAYERS.silver);
  if (quarantine.length) {
    const r = await duck.runAndReadAll(
      `SELECT DISTINCT source_partition, source_offset, reason
       FROM read_parquet(${sqlList(await lake.localPaths(quarantine))}, union_by_name = true)
       WHERE transaction_id = $1 OR (transaction_id IS NULL AND contains(raw, $1))`,
      [id],
    );
    for (const [p, o, reason] of r.getRowsJS()) {
      const h = hit(Number(p), Number(o));
      h.place = 'quarantine';
      h.reason = reason === null ? null : String(reason);
    }
  }
  if (silver.length) {
    const r = await duck.runAndReadAll(
      `SELECT DISTINCT source_partition, source_offset
       FROM read_parquet(${sqlList(await lake.localPaths(silver))}, union_by_name = true)
       WHERE transaction_id = $1`,
      [id],
    );
    for (const [p, o] of r.getRowsJS()) {
      const h = hit(Number(p), Number(o));
      // A replay moved a quarantined record to silver: it is in silver now.
      h.replayed = h.place === 'quarantine';
      h.place = 'silver';
    }
  }
  const lakeMs = performance.now() - lakeStarted;

  const logStarted = performance.now();
  const from = end.map((e, p) => Math.min(e, Math.max(through[p], earliest[p])));
  let scanned = 0;
  for (let p = 0; p < end.length; p++) {
    for (let at = from[p]; at < end[p];) {
      const records = await broker.read(topic, p, at, Math.min(SCAN_PAGE, end[p] - at));
      if (!records.length) break;
      scanned += records.length;
      for (const r of records)
        if (isTransaction(r.value, id)) {
          const h = hit(p, r.offset);
          h.message = toMessage(r);
          h.from = 'log';
        }
      at = records[records.length - 1].offset + 1;
    }
  }
  const logMs = performance.now() - logStarted;

  const hits = [...found.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const h of hits) if (!h.message) await attachRecord(deps, h);
  return {
    transactionId: id,
    hits,
    lake: { through, files: quarantine.length + silver.length, ms: Math.round(lakeMs) },
    log: { from, to: end, records: scanned, ms: Math.round(logMs) },
    ms: Math.round(performance.now() - started),
  };
}

/** The record of a lake hit: from the log while it holds it, else from the bronze file of its range. */
async function attachRecord(deps: SearchDeps, h: TopicSearchHit): Promise<void> {
  const [r] = await deps.broker.read(deps.topic, h.partition, h.offset, 1);
  if (r?.offset === h.offset) {
    h.message = toMessage(r);
    h.from = 'log';
    return;
  }
  const bronze = await fromBronze(deps, h.partition, h.offset);
  if (bronze) {
    h.message = bronze;
    h.from = 'bronze';
  }
}

async function fromBronze(deps: SearchDeps, partition: number, offset: number): Promise<TopicMessage | null> {
  const keys = (await parquetKeys(deps.lake, LAYERS.bronze)).filter((k) => {
    const r = parseBatchKey(k);
    return r !== null && r.partition === partition && r.first <= offset && offset <= r.last;
  });
  if (!keys.length) return null;
  const r = await deps.duck.runAndReadAll(
    `SELECT key, value, epoch_ms(broker_time) FROM read_parquet(${sqlList(await deps.lake.localPaths(keys))})
     WHERE source_partition = $1 AND source_offset = $2 LIMIT 1`,
    [partition, offset],
  );
  const row = r.getRowsJS()[0];
  if (!row) return null;
  const record: BrokerRecord = {
    partition,
    offset,
    timestamp: Number(row[2]),
    key: row[0] === null ? null : String(row[0]),
    value: String(row[1]),
  };
  return toMessage(record);
}
