import type { Commands, QueryPreset, QueryResult } from './contract';
import type { EngineConfig } from './config';
import { PulseError, type ErrorInfo } from './errors';
import { listLake, previewFile } from './lakeBrowser/lakeBrowser';
import type { Lake } from './services/lake/port';
import { readPresets } from './presets';
import { pagedSql, pageRequest, toPage } from './queryPages';
import { openLake } from './services/open';
import { saveSettings, settingsView } from './settings';
import type { Remote } from './workers/rpc';
import { LazyWorker } from './workers/lazyWorker';
import type { WarehouseWorkerApi } from './workers/protocol';
import { WarehouseEditor } from './warehouseEditor';
import type { WriteState } from './services/warehouse/pgliteQueries';

export type AppCommand =
  | 'lake.list'
  | 'lake.preview'
  | 'lake.quarantine'
  | 'lake.query'
  | 'warehouse.presets'
  | 'warehouse.query'
  | 'warehouse.cancel'
  | 'settings.get'
  | 'settings.set'
  | 'lake.counts';

export interface AppDeps {
  /** The config in force: infra.useDocker/useEmbedded replace it. */
  config: () => EngineConfig;
  warehouse: () => Remote<WarehouseWorkerApi>;
  /** The current warehouse worker's write state (the embedded warehouse's 'writes' events). */
  onWrites: (listener: (state: WriteState) => void) => () => void;
  /** Saved settings left out at start, for the Settings page. */
  startupProblems?: () => ErrorInfo[];
  /** A warehouse.query the SQL lab marked as its own run (history: true), for its history. */
  editorRun?: (q: Commands['warehouse.query']['req'], run: Promise<QueryResult>) => void;
}

/**
 * The commands behind the UI's pages that are not stage control: lake browsing, preset and
 * cancellable warehouse queries, settings (the ETL schedule is in etlRuns/). The Host delegates them here.
 */
export class AppCommands {
  private lake: Promise<Lake> | null = null;
  /** DuckDB over the lake, in a worker of its own (started on first use). */
  private readonly lakeSql: LazyWorker<'lake'>;
  private readonly running = new Set<string>();
  private readonly editor: WarehouseEditor;

  constructor(private readonly deps: AppDeps) {
    this.editor = new WarehouseEditor(deps);
    this.lakeSql = new LazyWorker(() => ({ role: 'lake', config: deps.config() }));
  }

  /** The lake worker (DuckDB over the lake), started at its first use; reconciliation uses it too. */
  async lakeWorker() {
    return (await this.lakeSql.get()).api;
  }

  handlers(): { [C in AppCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'lake.list': async (q) => listLake(await this.openLake(), q.prefix),
      'lake.preview': async (q) => previewFile(await this.openLake(), q.key, q.limit ?? 100),
      'lake.quarantine': async (q) => (await this.lakeSql.get()).api.quarantine(q.limit ?? 200),
      'lake.query': async (q) => (await this.lakeSql.get()).api.query(q.sql, q.limit ?? 1000),
      'warehouse.presets': async () => this.presets(),
      'warehouse.query': (q) => {
        const run = this.queryPage(q);
        if (q.history) this.deps.editorRun?.(q, run);
        return run;
      },
      'warehouse.cancel': (q) => this.cancel(q.queryId),
      'settings.get': async () => this.settingsView(),
      'settings.set': async (q) => {
        saveSettings(this.deps.config(), q.values);
        return this.settingsView();
      },
      'lake.counts': async () => (await this.lakeSql.get()).api.counts(),
    };
  }

  presets(): QueryPreset[] {
    return readPresets();
  }

  private settingsView() {
    return settingsView(this.deps.config(), this.deps.startupProblems?.() ?? []);
  }

  /** One page of a query's rows (warehouse.query's limit and offset), never the whole table at once. */
  async queryPage(q: Commands['warehouse.query']['req']): Promise<QueryResult> {
    const page = pageRequest(q.limit, q.offset);
    const wrapped = pagedSql(q.sql, page);
    return toPage(await this.query(wrapped ?? q.sql, q.params, q.queryId), page, wrapped !== null);
  }

  /**
   * A warehouse-editor query (one reading statement, as the reader role, time-limited) that
   * warehouse.cancel can stop where it runs: PostgreSQL cancels it on the server, PGlite's reader
   * worker is ended (warehouseEditor.ts). A stopped query fails with code 'cancelled'.
   */
  async query(sql: string, params: unknown[] | undefined, queryId: string | undefined): Promise<QueryResult> {
    const id = queryId ?? `q-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    if (this.running.has(id))
      throw new PulseError('config_invalid', `query id ${id} is already running`, { field: 'queryId' });
    this.running.add(id);
    try {
      return await this.editor.query(id, sql, params);
    } finally {
      this.running.delete(id);
    }
  }

  /** Answers cancelled: true only once the query has really stopped; false when it had already finished. */
  async cancel(queryId: string): Promise<{ cancelled: boolean }> {
    if (!this.running.has(queryId)) return { cancelled: false };
    return { cancelled: await this.editor.cancel(queryId) };
  }

  private openLake(): Promise<Lake> {
    this.lake ??= openLake(this.deps.config()).catch((err: unknown) => {
      this.lake = null;
      throw err;
    });
    return this.lake;
  }

  /** The Host switched services: the lake browser and the lake SQL worker open on the new ones. */
  async servicesChanged(): Promise<void> {
    await this.editor.servicesChanged();
    this.lake = null;
    await this.lakeSql.close();
  }

  async close(): Promise<void> {
    await this.editor.close();
    await this.lakeSql.close();
  }
}
