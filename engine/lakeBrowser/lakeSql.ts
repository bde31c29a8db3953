import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import type { QueryResult } from '../contract';
import { PulseError } from '../errors';
import { sqlList } from '../services/lake/duck';
import { LAYERS, type Layer } from '../services/lake/keys';
import type { Lake } from '../services/lake/port';
import { visibleKeys } from '../compaction/lakeView';

export const LAKE_QUERY_MAX_ROWS = 10_000;

/**
 * DuckDB for lake SQL, sandboxed before any user text reaches it: no file outside `allowedDirs`
 * (the lake folder, or the S3 download cache) can be read or written, no extension installed or
 * loaded, and the configuration is locked so no statement can undo that.
 */
export async function openLakeSqlDuck(allowedDirs: string[]): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const dirs = allowedDirs.map((d) => `'${(path.resolve(d) + path.sep).replace(/'/g, "''")}'`);
  await conn.run(`SET allowed_directories = [${dirs.join(', ')}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
  return conn;
}

/**
 * SQL over the lake with DuckDB, in its own worker: each layer is a view (bronze, silver,
 * quarantine, gold) over its current files. One SELECT only, and at most `limit` rows come back;
 * the connection is sandboxed to the lake's files (openLakeSqlDuck).
 */
export class LakeSql {
  constructor(
    private readonly lake: Lake,
    private readonly duck: DuckDBConnection,
  ) {}

  private async refreshViews(): Promise<Layer[]> {
    const present: Layer[] = [];
    for (const layer of Object.keys(LAYERS) as Layer[]) {
      const keys = await visibleKeys(this.lake, LAYERS[layer]);
      if (keys.length === 0) {
        await this.duck.run(`DROP VIEW IF EXISTS ${layer}`);
        continue;
      }
      const local = await this.lake.localPaths(keys);
      await this.duck.run(
        `CREATE OR REPLACE VIEW ${layer} AS SELECT * FROM read_parquet(${sqlList(local)}, hive_partitioning = true, union_by_name = true)`,
      );
      present.push(layer);
    }
    return present;
  }

  async query(sql: string, limit = 1000): Promise<QueryResult> {
    const max = Math.max(1, Math.min(LAKE_QUERY_MAX_ROWS, Math.floor(limit)));
    const text = sql.trim().replace(/;\s*$/, '');
    if (text === '') throw new PulseError('config_invalid', 'there is no statement to run', { field: 'sql' });
    const extracted = await this.duck.extractStatements(text).catch((err: Error) => {
      throw new PulseError('config_invalid', err.message, { field: 'sql' });
    });
    if (extracted.count === 0) throw new PulseError('config_invalid', 'there is no statement to run', { field: 'sql' });
    if (extracted.count !== 1)
      throw new PulseError('config_invalid', `${extracted.count} statements: lake SQL runs one SELECT at a time`, {
        field: 'sql',
      });
    const present = await this.refreshViews();
    let prepared;
    try {
      prepared = await extracted.prepare(0);
    } catch (err) {
      const message = (err as Error).message;
      const missing = (Object.keys(LAYERS) as Layer[]).filter(
        (l) => !present.includes(l) && new RegExp(`\\b${l}\\b`, 'i').test(text),
      );
      throw new PulseError(
        'config_invalid',
        missing.length ? `the ${missing.join(', ')} layer has no files yet (${message})` : message,
        { field: 'sql' },
      );
    }
    if (prepared.statementType !== StatementType.SELECT)
      throw new PulseError(
        'config_invalid',
        `${StatementType[prepared.statementType].replace(/_/g, ' ')} is not allowed: lake SQL runs one SELECT over the lake's views (bronze, silver, quarantine, gold)`,
        { field: 'sql' },
      );
    // The statement that was checked is the one that runs (no text around it); rows stream until `max`.
    const reader = await prepared.streamAndReadUntil(max).catch((err: Error) => {
      throw new PulseError('config_invalid', err.message, { field: 'sql' });
    });
    return {
      columns: reader.columnNames(),
      rows: reader
        .getRowsJS()
        .slice(0, max)
        .map((r) => r.map(plain)),
    };
  }

  /** Quarantined records, newest first, with their reasons. */
  async quarantine(limit = 200): Promise<QueryResult> {
    const present = await this.refreshViews();
    if (!present.includes('quarantine'))
      return {
        columns: ['broker_time', 'reason', 'detail', 'transaction_id', 'source_partition', 'source_offset', 'raw'],
        rows: [],
      };
    return this.query(
      'SELECT broker_time, reason, detail, transaction_id, source_partition, source_offset, raw FROM quarantine ORDER BY broker_time DESC',
      limit,
    );
  }
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object')
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x));
  return v;
}
