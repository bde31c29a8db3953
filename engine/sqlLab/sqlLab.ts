import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type {
  Commands,
  PinnedChart,
  QueryResult,
  SavedQuery,
  SqlHistoryEntry,
  SqlLabList,
  SqlLabPart,
} from '../contract';
import { PulseError, toErrorInfo } from '../errors';
import { LabFile } from './labFile';
import {
  chartSpec,
  historyEntry,
  item,
  LIMITS,
  moneyColumns,
  pinnedChart,
  refreshSeconds,
  savedQuery,
  sqlText,
  text,
} from './labRecords';
import { foldSchema, SCHEMA_ROWS, SCHEMA_SQL } from './warehouseSchema';

export type SqlLabCommand =
  | 'warehouse.schema'
  | 'sqlLab.history'
  | 'sqlLab.forget'
  | 'sqlLab.saved'
  | 'sqlLab.save'
  | 'sqlLab.delete'
  | 'dashboard.pins'
  | 'dashboard.pin'
  | 'dashboard.update'
  | 'dashboard.unpin';

type QueryRequest = Commands['warehouse.query']['req'];

export interface SqlLabDeps {
  dataDir: string;
  /** warehouse.query as the Warehouse page calls it: the editor's one path (parser, reader role, timeout). */
  query: (q: QueryRequest) => Promise<QueryResult>;
  /** A part changed: every window reads it again. */
  changed: (part: SqlLabPart) => void;
}

/** Where the lab's lists live in the data dir. */
export function sqlLabDir(dataDir: string): string {
  return path.join(dataDir, 'sql-lab');
}

/**
 * The SQL lab's side of the Host: the schema the reader may read (for completion and the schema
 * browser), the editor's history, saved queries and the Dashboard's pinned charts, each a file in
 * `<data dir>/sql-lab/`. Nothing here runs SQL another way: the schema and a pin's check are
 * warehouse.query calls like the editor's own.
 */
export class SqlLab {
  private readonly history: LabFile<SqlHistoryEntry>;
  private readonly saved: LabFile<SavedQuery>;
  private readonly pins: LabFile<PinnedChart>;
  private seq = 0;

  constructor(private readonly deps: SqlLabDeps) {
    const dir = sqlLabDir(deps.dataDir);
    this.history = new LabFile(path.join(dir, 'history.json'), item(historyEntry), 'query history');
    this.saved = new LabFile(path.join(dir, 'saved.json'), item(savedQuery), 'saved queries');
    this.pins = new LabFile(path.join(dir, 'dashboard.json'), item(pinnedChart), "Dashboard's pinned charts");
  }

  handlers(): { [C in SqlLabCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'warehouse.schema': async () =>
        foldSchema(await this.deps.query({ sql: SCHEMA_SQL, limit: SCHEMA_ROWS, queryId: this.id('schema') })),
      'sqlLab.history': async (q) => this.historyList(q.limit),
      'sqlLab.forget': async (q) => this.forget(q.id),
      'sqlLab.saved': async () => this.saved.list(),
      'sqlLab.save': async (q) => this.save(q.name, q.sql),
      'sqlLab.delete': async (q) =>
        this.change(
          'saved',
          this.saved.update((items) => without(items, q.id, 'saved query')),
        ),
      'dashboard.pins': async () => this.pins.list(),
      'dashboard.pin': (q) => this.pin(q),
      'dashboard.update': async (q) => this.updatePin(q),
      'dashboard.unpin': async (q) =>
        this.change(
          'pins',
          this.pins.update((items) => without(items, q.id, 'pinned chart')),
        ),
    };
  }

  /**
   * Keeps an editor run in the history once it ends, with its outcome; a later page of the same
   * result (offset > 0) is not a new run.
   */
  recordRun(q: QueryRequest, run: Promise<QueryResult>): void {
    if ((q.offset ?? 0) > 0 || typeof q.sql !== 'string' || q.sql.trim() === '') return;
    const at = Date.now();
    const started = performance.now();
    const done = (outcome: SqlHistoryEntry['outcome'], r: QueryResult | null, error: string | null) => {
      const entry: SqlHistoryEntry = {
        id: this.id('run'),
        sql: q.sql.slice(0, LIMITS.sql),
        at,
        ms: Math.round(performance.now() - started),
        outcome,
        rows: r ? r.rows.length : null,
        more: r?.more === true,
        error,
      };
      try {
        this.change(
          'history',
          this.history.update((items) => trimHistory([entry, ...items])),
        );
      } catch {
        // A history that cannot be written must not fail the query the user ran; the next run tries again.
      }
    };
    run.then(
      (r) => done('ok', r, null),
      (err: unknown) => {
        const info = toErrorInfo(err);
        if (info.code === 'cancelled') done('cancelled', null, null);
        else done('failed', null, info.message);
      },
    );
  }

  private historyList(limit: number | undefined): SqlLabList<SqlHistoryEntry> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.historyEntries))
      throw new PulseError('config_invalid', `limit must be a whole number from 1 to ${LIMITS.historyEntries}`, {
        field: 'limit',
      });
    const list = this.history.list();
    return { ...list, items: list.items.slice(0, limit ?? LIMITS.historyEntries) };
  }

  private forget(id: string | undefined): SqlLabList<SqlHistoryEntry> {
    return this.change(
      'history',
      this.history.update((items) => (id === undefined ? [] : without(items, id, 'history entry'))),
    );
  }

  private save(rawName: string, rawSql: string): SqlLabList<SavedQuery> {
    const name = text(rawName, 'name', LIMITS.name);
    const sql = sqlText(rawSql);
    return this.change(
      'saved',
      this.saved.update((items) => {
        const same = items.find((s) => s.name === name);
        if (!same && items.length >= LIMITS.savedQueries)
          throw new PulseError(
            'config_invalid',
            `at most ${LIMITS.savedQueries} saved queries: delete one before saving "${name}"`,
            { field: 'name' },
          );
        const next: SavedQuery = { id: same?.id ?? this.id('saved'), name, sql, savedAt: Date.now() };
        return [...items.filter((s) => s !== same), next].sort((a, b) =>
          a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }),
        );
      }),
    );
  }

  private async pin(q: Commands['dashboard.pin']['req']): Promise<SqlLabList<PinnedChart>> {
    const title = text(q.title, 'title', LIMITS.title);
    const sql = sqlText(q.sql);
    const chart = chartSpec(q.chart);
    const money = moneyColumns(q.money);
    const every = refreshSeconds(q.refreshSeconds);
    if (this.pins.list().items.length >= LIMITS.pins)
      throw new PulseError('config_invalid', `the Dashboard holds at most ${LIMITS.pins} charts: unpin one first`, {
        field: 'title',
      });
    // The query must run, as the editor runs it, and return the chart's columns: a pin that can
    // only fail is refused now, not on the Dashboard.
    const { columns } = await this.deps.query({ sql, limit: 1, queryId: this.id('pin-check') });
    const missing = [chart.x, ...chart.y, ...(chart.series ? [chart.series] : [])].filter((c) => !columns.includes(c));
    if (missing.length)
      throw new PulseError(
        'config_invalid',
        `the chart's column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in the query's result (${columns.join(', ')})`,
        { field: 'chart' },
      );
    const pinned: PinnedChart = {
      id: this.id('pin'),
      title,
      sql,
      chart,
      ...(money ? { money: money.filter((c) => columns.includes(c)) } : {}),
      refreshSeconds: every,
      pinnedAt: Date.now(),
    };
    return this.change(
      'pins',
      this.pins.update((items) => [...items, pinned]),
    );
  }

  private updatePin(q: Commands['dashboard.update']['req']): SqlLabList<PinnedChart> {
    const title = q.title === undefined ? undefined : text(q.title, 'title', LIMITS.title);
    const every = q.refreshSeconds === undefined ? undefined : refreshSeconds(q.refreshSeconds);
    return this.change(
      'pins',
      this.pins.update((items) => {
        if (!items.some((p) => p.id === q.id)) throw notFound('pinned chart', q.id);
        return items.map((p) =>
          p.id === q.id ? { ...p, ...(title ? { title } : {}), ...(every ? { refreshSeconds: every } : {}) } : p,
        );
      }),
    );
  }

  private change<T>(part: SqlLabPart, list: T): T {
    this.deps.changed(part);
    return list;
  }

  private id(kind: string): string {
    return `${kind}-${Date.now().toString(36)}-${(++this.seq).toString(36)}-${randomUUID().slice(0, 8)}`;
  }
}

function notFound(what: string, id: string): PulseError {
  return new PulseError(
    'not_found',
    `no ${what} with id ${JSON.stringify(id)}: it may have been removed in another window`,
    {
      field: 'id',
    },
  );
}

function without<T extends { id: string }>(items: readonly T[], id: string, what: string): T[] {
  if (!items.some((x) => x.id === id)) throw notFound(what, id);
  return items.filter((x) => x.id !== id);
}

/** Newest first, at most so many runs and so much SQL. */
function trimHistory(items: SqlHistoryEntry[]): SqlHistoryEntry[] {
  const sorted = items.sort((a, b) => b.at - a.at);
  const kept: SqlHistoryEntry[] = [];
  let chars = 0;
  for (const e of sorted) {
    if (kept.length === LIMITS.historyEntries || chars + e.sql.length > LIMITS.historySql) break;
    kept.push(e);
    chars += e.sql.length;
  }
  return kept;
}
