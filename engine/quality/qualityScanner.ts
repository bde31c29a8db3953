import type { DuckDBConnection } from '@duckdb/node-api';
import type { EngineConfig } from '../config';
import type { QuarantineRecordView } from '../contract';
import { PulseError } from '../errors';
import { openDuck, sqlList } from '../services/lake/duck';
import { readRowCount } from '../services/lake/footer';
import { LAYERS, parseBatchKey } from '../services/lake/keys';
import type { Lake, LakeObject } from '../services/lake/port';
import { openLake } from '../services/open';

const HOUR = 3_600_000;
const BATCH = 500;

/** Counts per minute (epoch ms) of one file; quarantine files per reason too. */
type Minutes = Map<number, number>;
interface Cached<T> {
  size: number;
  counts: T;
}

export interface WindowCounts {
  records: number;
  quarantined: number;
  byReason: Record<string, number>;
}

/** Per-minute counts of arrivals (bronze) and refusals (quarantine), for a range of arrival time. */
export interface MinuteCounts {
  bronze: [minute: number, n: number][];
  quarantine: [minute: number, reason: string, n: number][];
  allTime: WindowCounts;
  filesRead: number;
}

/** The UTC hour a Hive-style key's date=/hour= partition names, or null. */
function hourOf(key: string): number | null {
  const m = /date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//.exec(key);
  return m ? Date.parse(`${m[1]}T${m[2]}:00:00Z`) : null;
}

/**
 * Arrivals and refusals per minute of arrival time, from the lake alone: bronze's broker_time (every
 * record that came in) and quarantine's broker_time and reason (every record refused, by the reason
 * it got then). Files are immutable once in place (their names carry their offsets), so each is
 * read once, one column or two, and remembered; bronze only for the hours a range asks about
 * (partitions are by arrival hour), quarantine whole (it is small, and its totals are all-time).
 * All-time arrivals come from the bronze footers' row counts.
 */
export class QualityScanner {
  private readonly bronze = new Map<string, Cached<Minutes>>();
  private readonly quarantine = new Map<string, Cached<Map<number, Map<string, number>>>>();
  private readonly footers = new Map<string, Cached<number>>();

  constructor(
    private readonly lake: Lake,
    private readonly duck: DuckDBConnection,
  ) {}

  async counts(from: number, to: number): Promise<MinuteCounts> {
    const [bronzeObjects, quarantineObjects] = await Promise.all([
      this.parquet(LAYERS.bronze),
      this.parquet(LAYERS.quarantine),
    ]);
    forget(this.bronze, bronzeObjects);
    forget(this.footers, bronzeObjects);
    forget(this.quarantine, quarantineObjects);
    const inRange = bronzeObjects.filter((o) => {
      const h = hourOf(o.key);
      return h === null || (h < to && h + HOUR > from);
    });
    let filesRead = await this.readBronze(inRange);
    filesRead += await this.readQuarantine(quarantineObjects);
    const allTime: WindowCounts = { records: await this.footerRows(bronzeObjects), quarantined: 0, byReason: {} };
    const bronze: [number, number][] = [];
    for (const o of inRange)
      for (const [m, n] of this.bronze.get(o.key)?.counts ?? []) if (m >= from && m < to) bronze.push([m, n]);
    const quarantine: [number, string, number][] = [];
    for (const o of quarantineObjects)
      for (const [m, reasons] of this.quarantine.get(o.key)?.counts ?? [])
        for (const [reason, n] of reasons) {
          allTime.quarantined += n;
          allTime.byReason[reason] = (allTime.byReason[reason] ?? 0) + n;
          if (m >= from && m < to) quarantine.push([m, reason, n]);
        }
    return { bronze, quarantine, allTime, filesRead };
  }

  /** One quarantined record, its raw value whole: found by the offsets its file's name carries. */
  async record(partition: number, offset: number): Promise<QuarantineRecordView> {
    const files = (await this.parquet(LAYERS.quarantine)).filter((o) => {
      const r = parseBatchKey(o.key);
      return r !== null && r.partition === partition && r.first <= offset && offset <= r.last;
    });
    for (const f of files) {
      const [path] = await this.lake.localPaths([f.key]);
      const rows = (
        await this.duck.runAndReadAll(
          `SELECT source_partition, source_offset, strftime(broker_time, '%Y-%m-%dT%H:%M:%S.%gZ'), transaction_id, reason, detail, raw,
             ${await this.optional(path, 'key')}, ${await this.optional(path, 'catalog_version')}
           FROM read_parquet(${sqlList([path])}) WHERE source_partition = ${partition} AND source_offset = ${offset} LIMIT 1`,
        )
      ).getRowsJS();
      if (!rows.length) continue;
      const [p, o, time, txn, reason, detail, raw, key, version] = rows[0];
      const text = String(raw);
      return {
        partition: Number(p),
        offset: Number(o),
        brokerTime: String(time),
        transactionId: txn === null ? null : String(txn),
        reason: String(reason),
        detail: detail === null ? null : String(detail),
        key: key === null ? null : String(key),
        catalogVersion: version === null ? null : String(version),
        raw: text,
        bytes: Buffer.byteLength(text),
        file: f.key,
      };
    }
    throw new PulseError('not_found', `no quarantined record at partition ${partition}, offset ${offset}`, {
      field: 'offset',
    });
  }

  /** When the newest file of a layer landed (epoch ms), null when the layer is empty. */
  async newest(layer: 'bronze' | 'silver'): Promise<number | null> {
    const objects = await this.parquet(LAYERS[layer]);
    return objects.length ? Math.max(...objects.map((o) => o.modifiedMs)) : null;
  }

  private async parquet(prefix: string): Promise<LakeObject[]> {
    return (await this.lake.list(prefix)).filter((o) => o.key.endsWith('.parquet'));
  }

  /** Files written before quarantine kept the key and the catalog version have neither column. */
  private async optional(path: string, column: string): Promise<string> {
    const have = (await this.duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlList([path])})`))
      .getRowsJS()
      .some((r) => r[0] === column);
    return have ? column : 'NULL';
  }

  private async readBronze(objects: LakeObject[]): Promise<number> {
    const unread = objects.filter((o) => this.bronze.get(o.key)?.size !== o.size);
    for (let i = 0; i < unread.length; i += BATCH) {
      const rows = await this.scan(
        unread.slice(i, i + BATCH),
        `epoch_ms(date_trunc('minute', broker_time)) AS m, count(*)`,
      );
      const byFile = new Map<string, Minutes>();
      for (const [key, m, n] of rows) {
        let counts = byFile.get(key);
        if (!counts) byFile.set(key, (counts = new Map()));
        counts.set(Number(m), Number(n));
      }
      for (const o of unread.slice(i, i + BATCH))
        this.bronze.set(o.key, { size: o.size, counts: byFile.get(o.key) ?? new Map() });
    }
    return unread.length;
  }

  private async readQuarantine(objects: LakeObject[]): Promise<number> {
    const unread = objects.filter((o) => this.quarantine.get(o.key)?.size !== o.size);
    for (let i = 0; i < unread.length; i += BATCH) {
      const rows = await this.scan(
        unread.slice(i, i + BATCH),
        `epoch_ms(date_trunc('minute', broker_time)) AS m, reason, count(*)`,
      );
      const byFile = new Map<string, Map<number, Map<string, number>>>();
      for (const [key, m, reason, n] of rows) {
        let minutes = byFile.get(key);
        if (!minutes) byFile.set(key, (minutes = new Map()));
        let reasons = minutes.get(Number(m));
        if (!reasons) minutes.set(Number(m), (reasons = new Map()));
        reasons.set(String(reason), Number(n));
      }
      for (const o of unread.slice(i, i + BATCH))
        this.quarantine.set(o.key, { size: o.size, counts: byFile.get(o.key) ?? new Map() });
    }
    return unread.length;
  }

  /** `select` grouped by file (its lake key first in each row). A file removed meanwhile (crash recovery) is skipped. */
  private async scan(objects: LakeObject[], select: string): Promise<[string, ...unknown[]][]> {
    const present: LakeObject[] = [];
    const paths: string[] = [];
    for (const o of objects) {
      const p = await this.lake.localPaths([o.key]).catch(() => null);
      if (p) {
        present.push(o);
        paths.push(p[0]);
      }
    }
    if (!paths.length) return [];
    const keyOf = new Map(paths.map((p, i) => [p, present[i].key]));
    const rows = (
      await this.duck.runAndReadAll(
        `SELECT filename, ${select} FROM read_parquet(${sqlList(paths)}, filename = true, union_by_name = true) GROUP BY ALL`,
      )
    ).getRowsJS();
    return rows.map(([file, ...rest]) => [keyOf.get(String(file)) ?? String(file), ...rest]);
  }

  private async footerRows(objects: LakeObject[]): Promise<number> {
    const unread = objects.filter((o) => this.footers.get(o.key)?.size !== o.size);
    for (let i = 0; i < unread.length; i += 16)
      await Promise.all(
        unread.slice(i, i + 16).map(async (o) => {
          const rows = await readRowCount(this.lake, o.key, o.size).catch(() => null);
          if (rows !== null) this.footers.set(o.key, { size: o.size, counts: rows });
        }),
      );
    let total = 0;
    for (const o of objects) total += this.footers.get(o.key)?.counts ?? 0;
    return total;
  }
}

function forget<T>(cache: Map<string, Cached<T>>, present: LakeObject[]): void {
  const keys = new Set(present.map((o) => o.key));
  for (const k of cache.keys()) if (!keys.has(k)) cache.delete(k);
}

/** What the quality worker serves (worker.ts, role 'quality'): one call at a time on its DuckDB connection. */
export async function qualityWorkerApi(config: EngineConfig) {
  const scanner = new QualityScanner(await openLake(config), await openDuck({ threads: 1 }));
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    counts: (from: number, to: number) => serial(() => scanner.counts(from, to)),
    record: (partition: number, offset: number) => serial(() => scanner.record(partition, offset)),
    newest: (layer: 'bronze' | 'silver') => serial(() => scanner.newest(layer)),
  };
}
export type QualityWorkerApi = Awaited<ReturnType<typeof qualityWorkerApi>>;
