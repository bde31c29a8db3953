import type { QueryResult } from './contract';
import { PulseError } from './errors';

/** Rows of one warehouse result page unless the call asks for another size. */
export const PAGE_ROWS = 1_000;
export const MAX_PAGE_ROWS = 10_000;

/*
 * Warehouse results come a page at a time: a SELECT is wrapped so the server returns at most one
 * row more than the page (which says whether more follow) from the offset, instead of every row
 * of `SELECT * FROM fact_sales`. A statement that is not a query (EXPLAIN, SHOW) runs as written
 * and is cut to the page here.
 */

export interface PageRequest {
  limit: number;
  offset: number;
}

export function pageRequest(limit: number | undefined, offset: number | undefined): PageRequest {
  const l = limit ?? PAGE_ROWS;
  const o = offset ?? 0;
  if (!Number.isInteger(l) || l < 1 || l > MAX_PAGE_ROWS)
    throw new PulseError('config_invalid', `limit must be a whole number of rows from 1 to ${MAX_PAGE_ROWS}`, {
      field: 'limit',
    });
  if (!Number.isInteger(o) || o < 0)
    throw new PulseError('config_invalid', 'offset must be a whole number of rows, 0 or more', { field: 'offset' });
  return { limit: l, offset: o };
}

/** Leading comments and blank space, which may come before the first keyword. */
const LEAD = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

/** A statement's closing semicolon, when only blank space and comments follow it. */
function withoutFinalSemicolon(sql: string): string {
  const end = sql.lastIndexOf(';');
  if (end < 0) return sql;
  const tail = sql.slice(end + 1);
  return LEAD.exec(tail)?.[0].length === tail.length ? sql.slice(0, end) : sql;
}

/** The SQL to send for one page, or null when the statement cannot be wrapped (run it as written). */
export function pagedSql(sql: string, page: PageRequest): string | null {
  const text = withoutFinalSemicolon(sql);
  const head = text.slice(LEAD.exec(text)?.[0].length ?? 0);
  if (!/^(select|with|values|table)\b/i.test(head)) return null;
  // New lines around the text: a trailing "-- comment" in it must not swallow the closing parenthesis.
  return `SELECT * FROM (\n${text}\n) AS page LIMIT ${page.limit + 1} OFFSET ${page.offset}`;
}

/** The page from what the server returned (one row more than the page when more follow). */
export function toPage(result: QueryResult, page: PageRequest, wrapped: boolean): QueryResult {
  const rows = wrapped ? result.rows : result.rows.slice(page.offset);
  return {
    columns: result.columns,
    rows: rows.slice(0, page.limit),
    more: rows.length > page.limit,
    offset: page.offset,
  };
}
