import type { ChartSpec, PinnedChart, SavedQuery, SqlHistoryEntry } from '../contract';
import { PulseError } from '../errors';

/*
 * What the SQL lab accepts, for a request and for a record read back from its files alike: every
 * refusal names the field and the rule.
 */

export const LIMITS = {
  sql: 100_000,
  name: 100,
  title: 200,
  column: 200,
  savedQueries: 500,
  pins: 50,
  historyEntries: 200,
  /** Characters of SQL the history keeps in all; older runs go first. */
  historySql: 2_000_000,
  refreshSeconds: { min: 10, max: 86_400 },
} as const;

function invalid(field: string, rule: string): PulseError {
  return new PulseError('config_invalid', `${field} ${rule}`, { field });
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(what, 'must be an object');
  return v as Record<string, unknown>;
}

/** A non-blank string of at most `max` characters, trimmed when `trim`. */
export function text(v: unknown, field: string, max: number, trim = true): string {
  if (typeof v !== 'string') throw invalid(field, 'must be a string');
  const s = trim ? v.trim() : v;
  if (s.trim() === '') throw invalid(field, 'must not be empty');
  if (s.length > max) throw invalid(field, `must be at most ${max.toLocaleString('en-US')} characters`);
  return s;
}

function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, 'must be a number');
  return v;
}

export function sqlText(v: unknown, field = 'sql'): string {
  return text(v, field, LIMITS.sql, false);
}

export function refreshSeconds(v: unknown): number {
  const { min, max } = LIMITS.refreshSeconds;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid('refreshSeconds', `must be a whole number of seconds from ${min} to ${max.toLocaleString('en-US')}`);
  return v;
}

export function chartSpec(v: unknown): ChartSpec {
  const c = record(v, 'chart');
  if (c.type !== 'bar' && c.type !== 'line') throw invalid('chart', 'type must be bar or line');
  const x = text(c.x, 'chart', LIMITS.column);
  if (!Array.isArray(c.y) || c.y.length === 0 || c.y.length > 8) throw invalid('chart', 'y must list 1 to 8 columns');
  const y = c.y.map((col) => text(col, 'chart', LIMITS.column));
  const unknown = Object.keys(c).filter((k) => !['type', 'x', 'y', 'series'].includes(k));
  if (unknown.length) throw invalid('chart', `has unknown fields: ${unknown.join(', ')}`);
  return c.series === undefined ? { type: c.type, x, y } : { type: c.type, x, y, series: text(c.series, 'chart', 200) };
}

export function moneyColumns(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 50) throw invalid('money', 'must list at most 50 columns');
  return v.map((c) => text(c, 'money', LIMITS.column));
}

export function historyEntry(v: unknown): SqlHistoryEntry {
  const r = record(v, 'history entry');
  if (r.outcome !== 'ok' && r.outcome !== 'failed' && r.outcome !== 'cancelled')
    throw invalid('outcome', 'must be ok, failed or cancelled');
  return {
    id: text(r.id, 'id', 100),
    sql: sqlText(r.sql),
    at: num(r.at, 'at'),
    ms: num(r.ms, 'ms'),
    outcome: r.outcome,
    rows: r.rows === null ? null : num(r.rows, 'rows'),
    more: r.more === true,
    error: r.error === null || r.error === undefined ? null : String(r.error),
  };
}

export function savedQuery(v: unknown): SavedQuery {
  const r = record(v, 'saved query');
  return {
    id: text(r.id, 'id', 100),
    name: text(r.name, 'name', LIMITS.name),
    sql: sqlText(r.sql),
    savedAt: num(r.savedAt, 'savedAt'),
  };
}

export function pinnedChart(v: unknown): PinnedChart {
  const r = record(v, 'pinned chart');
  const money = moneyColumns(r.money);
  return {
    id: text(r.id, 'id', 100),
    title: text(r.title, 'title', LIMITS.title),
    sql: sqlText(r.sql),
    chart: chartSpec(r.chart),
    ...(money ? { money } : {}),
    refreshSeconds: refreshSeconds(r.refreshSeconds),
    pinnedAt: num(r.pinnedAt, 'pinnedAt'),
  };
}

/** An item of a file: its index said in the message when it is wrong. */
export function item<T>(check: (v: unknown) => T): (v: unknown, index: number) => T {
  return (v, index) => {
    try {
      return check(v);
    } catch (err) {
      throw new Error(`item ${index + 1}: ${(err as Error).message}`);
    }
  };
}
