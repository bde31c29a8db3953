import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PulseError } from '../../errors';
import {
  BEGIN_RUN,
  FAIL_ORPHAN_RUNS,
  FINISH_RUN,
  LIST_RUNS,
  NEWEST_LOAD,
  RUN_FILES,
  TOTALS,
  copyFactsSql,
  loadChunkIn,
  readDimKeys,
} from './loadSql';
import { syncCatalogVersions } from './catalogSql';
import { readPiece } from './copyBinary';
import { isConnectionError, toWarehouseError } from './pgErrors';
import { openReaderLogin, readerUnavailable, type ReaderLogin } from './pgReader';
import type { Catalog } from '../../model/catalog';
import type { DimKeys, EtlRunRecord, LoadChunk, LoadResult, QueryOptions, QueryResult, Warehouse } from './port';
import { checkReadingSql } from './readingSql';
import { SESSION_SETTINGS, parserFor } from './resultValues';

declare module 'pg' {
  interface ClientBase {
    /** The server process of this connection, set at login (pg has it; its types leave it out). */
    readonly processID: number;
  }
}

export interface PgWarehouseOptions {
  url: string;
  initSqlPath: string;
  /** Longest a read-only query may run; 30 s unless given. */
  statementTimeoutMs?: number;
  /** The password of the editor's reader login (pgReader.ts); derived from the writer's when absent. */
  readerPassword?: string;
}

/** Advisory lock keys (two int4s): our namespace, then which lock. */
const LOCK_SPACE = 0x52504c53; // 'RPLS'
const INIT_LOCK = 1;
const ETL_LOCK = 2;
const CATALOG_LOCK = 3;
/** The loader, a couple of queries and the summary at once; the ETL lock has its own connection. */
const POOL_MAX = 4;

const CANONICAL_TYPES = { getTypeParser: ((oid: number) => parserFor(oid)) as pg.CustomTypesConfig['getTypeParser'] };

/**
 * The warehouse on a PostgreSQL server (15+). Loads go through COPY FROM STDIN into a session temp
 * table, then the same SQL as PGlite; one ETL at a time across processes through a session
 * advisory lock; queries are read-only transactions with a statement timeout, cancellable.
 * A connection that failed is discarded, so the pool recovers by itself after a server restart.
 */
export class PgWarehouse implements Warehouse {
  readonly kind = 'postgres' as const;
  private etl: { client: pg.Client; runId: string } | null = null;
  private closed = false;
  private reader: ReaderLogin = { ok: false, problem: 'the reader login is not set up yet' };
  private readerRetry: Promise<ReaderLogin> | null = null;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly clientConfig: pg.ClientConfig,
    private readonly statementTimeoutMs: number,
    private readonly readerPassword: string | undefined,
  ) {}

  static async open(opts: PgWarehouseOptions): Promise<PgWarehouse> {
    let initSql: string;
    try {
      initSql = fs.readFileSync(opts.initSqlPath, 'utf8');
    } catch (cause) {
      throw new PulseError(
        'warehouse_failed',
        `cannot read the warehouse schema ${opts.initSqlPath}: ${(cause as Error).message}`,
        { cause },
      );
    }
    const timeout = opts.statementTimeoutMs ?? 30_000;
    if (!Number.isInteger(timeout) || timeout < 0)
      throw new PulseError(
        'config_invalid',
        `statementTimeoutMs must be a whole number of milliseconds ≥ 0, not ${timeout}`,
        { field: 'statementTimeoutMs' },
      );
    const clientConfig: pg.ClientConfig = {
      connectionString: opts.url,
      application_name: 'retail-pulse',
      connectionTimeoutMillis: 10_000,
      options: Object.entries(SESSION_SETTINGS)
        .map(([k, v]) => `-c ${k}=${v.replace(/ /g, '')}`)
        .join(' '),
    };
    const pool = new pg.Pool({ ...clientConfig, max: POOL_MAX, idleTimeoutMillis: 30_000 });
    // An idle connection the server closed (restart, pg_terminate_backend): the pool drops it by itself.
    pool.on('error', () => undefined);
    const warehouse = new PgWarehouse(pool, opts.url, clientConfig, timeout, opts.readerPassword);
    try {
      await warehouse.withClient(async (c) => {
        await c.query('BEGIN');
        // Two apps opening a new database at once would race on CREATE TABLE IF NOT EXISTS.
        await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, INIT_LOCK]);
        await c.query(initSql);
        await c.query('COMMIT');
        warehouse.reader = await openReaderLogin(c, { url: opts.url, clientConfig, password: opts.readerPassword });
      }, 'cannot open the warehouse');
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return warehouse;
  }

  async loadedFiles(): Promise<string[]> {
    const r = await this.withClient(
      (c) => c.query<{ file_key: string }>('SELECT file_key FROM load_manifest'),
      'listing loaded files',
    );
    return r.rows.map((x) => x.file_key);
  }

  async dimKeys(): Promise<DimKeys> {
    return this.withClient(
      (c) => readDimKeys((sql, params) => c.query<Record<string, unknown>>(sql, params)),
      "reading the dimensions' keys",
    );
  }

  async loadChunk(chunk: LoadChunk): Promise<LoadResult> {
    return this.withClient(async (c) => {
      await c.query('BEGIN');
      const result = await loadChunkIn(
        {
          query: (sql, params) => c.query<Record<string, unknown>>(sql, params),
          copy: async (table, piece) => {
            const copy = c.query(copyFrom(copyFactsSql(table, 'STDIN')));
            await pipeline(Readable.from([readPiece(piece)]), copy);
            return copy.rowCount;
          },
        },
        chunk,
      );
      await c.query('COMMIT');
      return result;
    }, `loading ${chunk.files.length} file(s) into the warehouse`);
  }

  async beginRun(runId: string): Promise<void> {
    if (this.etl)
      throw new PulseError(
        'etl_busy',
        `an ETL run is already loading the warehouse (run ${this.etl.runId}, in this app)`,
      );
    const client = new pg.Client(this.clientConfig);
    // If this connection dies the lock goes with it; finishRun still records the run through the pool.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        LOCK_SPACE,
        ETL_LOCK,
      ]);
      if (!got.rows[0].ok)
        throw new PulseError('etl_busy', `an ETL run is already loading the warehouse (${await lockHolder(client)})`);
      await client.query(FAIL_ORPHAN_RUNS);
      await client.query(BEGIN_RUN, [runId]);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw toWarehouseError(err, this.url, err instanceof PulseError ? '' : 'cannot start the ETL run');
    }
    this.etl = { client, runId };
  }

  async finishRun(run: {
    runId: string;
    status: 'succeeded' | 'failed';
    files: number;
    inserted: number;
    skipped: number;
    error?: string;
  }): Promise<void> {
    try {
      await this.withClient(
        (c) => c.query(FINISH_RUN, [run.runId, run.status, run.files, run.inserted, run.skipped, run.error ?? null]),
        'cannot record the end of the ETL run',
      );
    } finally {
      await this.releaseEtlLock();
    }
  }

  async runs(limit: number): Promise<EtlRunRecord[]> {
    return (await this.withClient((c) => c.query<EtlRunRecord>(LIST_RUNS, [limit]), 'listing ETL runs')).rows;
  }

  async runFiles(runId: string, limit: number): Promise<{ key: string; rows: number }[]> {
    const r = await this.withClient(
      (c) => c.query<{ file_key: string; rows_in_file: number }>(RUN_FILES, [runId, limit]),
      'listing the files of an ETL run',
    );
    return r.rows.map((x) => ({ key: x.file_key, rows: x.rows_in_file }));
  }

  async newestLoad(): Promise<number | null> {
    const r = await this.withClient((c) => c.query<{ at: number | null }>(NEWEST_LOAD), 'reading the newest load');
    return r.rows[0]?.at ?? null;
  }

  /**
   * A user's query: one reading statement (readingSql.ts), run as the reader login in a read-only
   * transaction with the statement timeout. Aborting `signal` cancels it on the server through
   * another connection. Errors carry PostgreSQL's message.
   */
  async query(sql: string, params: unknown[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    const { signal } = opts;
    if (signal?.aborted) throw cancelled('before it started');
    await checkReadingSql(sql);
    const reader = await this.readerLogin();
    return this.withClient(
      async (c) => {
        let cancelling: Promise<void> | null = null;
        const onAbort = (): void => {
          cancelling = this.cancelBackend(c.processID, reader.config);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
          // Aborted while parsing, logging in or waiting for a connection: it never starts.
          if (signal?.aborted) throw cancelled('before it started');
          await c.query('BEGIN READ ONLY');
          await c.query(`SET LOCAL statement_timeout = ${this.statementTimeoutMs}`);
          // Extended protocol even without params: one statement only, so no `COMMIT; DELETE …` past READ ONLY.
          const config = {
            text: sql,
            values: params,
            rowMode: 'array',
            types: CANONICAL_TYPES,
            queryMode: 'extended',
          } as pg.QueryArrayConfig;
          const r = await c.query(config);
          // Rolled back, not committed: a SET in the query must not outlive it on this pooled session.
          await c.query('ROLLBACK');
          return { columns: r.fields.map((f) => f.name), rows: r.rows };
        } catch (err) {
          if ((err as { code?: string }).code === '57014') {
            if (signal?.aborted) throw cancelled(`(${(err as Error).message})`);
            if (/statement timeout/.test((err as Error).message)) {
              throw new PulseError(
                'timeout',
                `the query ran past the ${this.statementTimeoutMs} ms statement timeout and was stopped (${(err as Error).message})`,
              );
            }
          }
          throw err;
        } finally {
          signal?.removeEventListener('abort', onAbort);
          // The backend must not run someone else's query before our cancel request has landed.
          if (cancelling) await cancelling;
        }
      },
      '',
      reader.pool,
    );
  }

  /** The reader's pool; a login that was not usable at open is tried again (an administrator may have fixed it). */
  private async readerLogin(): Promise<{ pool: pg.Pool; config: pg.ClientConfig }> {
    if (!this.reader.ok) {
      // One attempt at a time: concurrent queries share it (and the pool it may open).
      this.readerRetry ??= this.withClient(
        (c) => openReaderLogin(c, { url: this.url, clientConfig: this.clientConfig, password: this.readerPassword }),
        "checking the editor's reader login",
      ).finally(() => (this.readerRetry = null));
      this.reader = await this.readerRetry;
    }
    if (!this.reader.ok) throw readerUnavailable(this.reader.problem);
    return this.reader;
  }

  async totals(): Promise<{ factRows: number; revenue: number }> {
    const r = await this.withClient(
      (c) => c.query<{ fact_rows: number; revenue: number }>(TOTALS),
      'reading warehouse totals',
    );
    return { factRows: r.rows[0].fact_rows, revenue: r.rows[0].revenue };
  }

  async syncCatalog(history: readonly Catalog[]): Promise<number> {
    return this.withClient(async (c) => {
      await c.query('BEGIN');
      // Two engines applying the same new version at once: the second finds it there.
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, CATALOG_LOCK]);
      const n = await syncCatalogVersions((sql, params) => c.query(sql, params), history);
      await c.query('COMMIT');
      return n;
    }, 'applying the catalog to the dimensions');
  }

  async maintain(): Promise<void> {
    // The server autovacuums; fresh statistics right after a bulk load keep the first queries' plans sane.
    await this.withClient(
      (c) => c.query('ANALYZE fact_sales, dim_store, dim_product, dim_customer, dim_date, load_manifest'),
      'analyzing the warehouse',
    );
  }

  async close(): Promise<void> {
    await this.releaseEtlLock();
    if (this.closed) return;
    this.closed = true;
    if (this.reader.ok) await this.reader.pool.end().catch(() => undefined);
    await this.pool.end();
  }

  /** Runs `fn` on a pooled client; on failure rolls back, or discards the client if its connection broke. */
  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>, doing = '', pool = this.pool): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw toWarehouseError(err, this.url, doing);
    }
    // A checked-out client whose connection drops between statements emits 'error'; without a listener that would crash the process.
    const onError = (): void => undefined;
    client.on('error', onError);
    try {
      const value = await fn(client);
      client.off('error', onError);
      client.release();
      return value;
    } catch (err) {
      const broken =
        isConnectionError(err) ||
        !(await client.query('ROLLBACK').then(
          () => true,
          () => false,
        ));
      client.off('error', onError);
      client.release(broken);
      throw toWarehouseError(err, this.url, doing);
    }
  }

  private async cancelBackend(pid: number, config: pg.ClientConfig): Promise<void> {
    const c = new pg.Client(config);
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // Cancelling is best effort: the statement timeout still bounds the query.
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  private async releaseEtlLock(): Promise<void> {
    const etl = this.etl;
    this.etl = null;
    // Ending the session releases its advisory lock.
    if (etl) await etl.client.end().catch(() => undefined);
  }
}

function cancelled(detail: string): PulseError {
  return new PulseError('cancelled', `the query was cancelled ${detail}`);
}

/** Who holds the ETL lock, for the etl_busy message. */
async function lockHolder(client: pg.Client): Promise<string> {
  const r = await client
    .query<{ pid: number; app: string; addr: string; run: string | null }>(
      `SELECT a.pid, coalesce(nullif(a.application_name, ''), 'a client') AS app, coalesce(host(a.client_addr), 'a local socket') AS addr,
       (SELECT run_id || ' started ' || started_at::text FROM etl_runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1) AS run
     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [LOCK_SPACE, ETL_LOCK],
    )
    .catch(() => null);
  const h = r?.rows[0];
  if (!h) return 'held by another connection';
  return `${h.run ? `run ${h.run}, ` : ''}held by ${h.app}, backend pid ${h.pid} from ${h.addr}`;
}
