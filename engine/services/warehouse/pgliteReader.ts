import type { PGlite } from '@electric-sql/pglite';
import { openPglite, READER_SETTINGS } from './pgliteCluster';
import { PulseError } from '../../errors';
import { toWarehouseError } from './pgErrors';
import { READER_ROLE } from './pgReader';
import type { QueryResult } from './port';
import { checkReadingSql } from './readingSql';
import { SESSION_SETTINGS, VALUE_PARSERS } from './resultValues';

export type Parsers = Record<number, (text: string) => unknown>;

/** Every type PGlite would decode its own way, as PostgreSQL's text unless resultValues.ts says otherwise. */
export function pgliteParsers(db: PGlite): Parsers {
  const asText = (t: string): string => t;
  return Object.fromEntries([
    ...Object.keys(db.parsers).map((oid) => [Number(oid), asText] as const),
    ...VALUE_PARSERS,
  ]);
}

/**
 * A user's query on PGlite: one reading statement (readingSql.ts), as the reader role, in a
 * read-only transaction that is rolled back. PGlite's session user is always its superuser, so
 * the role is only current_user here: the parser's refusal of SET and set_config() keeps it.
 */
export async function readingQuery(db: PGlite, parsers: Parsers, sql: string, params: unknown[]): Promise<QueryResult> {
  await checkReadingSql(sql);
  try {
    return await db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY');
      await tx.query(`SET LOCAL ROLE ${READER_ROLE}`);
      const r = await tx.query<unknown[]>(sql, params, { rowMode: 'array', parsers });
      await tx.rollback();
      return { columns: r.fields.map((f) => f.name), rows: r.rows };
    });
  } catch (err) {
    throw toWarehouseError(err, '');
  }
}

/**
 * PGlite opened on a snapshot of the warehouse (pgliteQueries.ts) in a worker of its own, as the
 * reader role: the thread a long query holds can be ended without touching the warehouse the ETL
 * loads, and whatever a query could do is confined to a copy inside PGlite's WASM file system.
 */
export class PgliteReader {
  private constructor(
    private readonly db: PGlite,
    private readonly parsers: Parsers,
  ) {}

  static async open(snapshotDir: string): Promise<PgliteReader> {
    let db: PGlite;
    try {
      db = await openPglite(snapshotDir, { settings: READER_SETTINGS, username: READER_ROLE });
    } catch (cause) {
      throw new PulseError(
        'warehouse_failed',
        `cannot open the query editor's snapshot of the embedded warehouse (${snapshotDir}): ${(cause as Error).message}`,
        { cause },
      );
    }
    for (const [name, value] of Object.entries(SESSION_SETTINGS))
      await db.query(`SELECT set_config($1, $2, false)`, [name, value]);
    return new PgliteReader(db, pgliteParsers(db));
  }

  query(sql: string, params: unknown[] = []): Promise<QueryResult> {
    return readingQuery(this.db, this.parsers, sql, params);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
