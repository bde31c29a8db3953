import { paths, type EngineConfig } from './config';
import type { QueryResult } from './contract';
import type { EditorQueries } from './services/warehouse/editorQueries';
import { PgliteQueries, type SnapshotSource, type WriteState } from './services/warehouse/pgliteQueries';
import { spawnReaderWorker } from './workers/readerWorker';
import type { WarehouseWorkerApi } from './workers/protocol';
import type { Remote } from './workers/rpc';

export interface WarehouseEditorDeps {
  config: () => EngineConfig;
  warehouse: () => Remote<WarehouseWorkerApi>;
  /** The current warehouse worker's write state (the embedded warehouse's 'writes' events). */
  onWrites: (listener: (state: WriteState) => void) => () => void;
}

/**
 * Where the Warehouse page's queries run, on the Host's thread so that Cancel never waits for a
 * busy warehouse: on PostgreSQL, in the warehouse worker, which cancels on the server; on PGlite,
 * in reader workers on snapshots (pgliteQueries.ts), ended from here at once. The embedded
 * warehouse's write count arrives as events, so choosing a snapshot asks nothing of a worker whose
 * thread the ETL's load may be holding.
 */
export class WarehouseEditor {
  private pglite: PgliteQueries | null = null;
  private state: WriteState = { writes: 0, loading: false };
  private unsubscribe: () => void;

  constructor(private readonly deps: WarehouseEditorDeps) {
    this.unsubscribe = this.watch();
  }

  query(id: string, sql: string, params?: unknown[]): Promise<QueryResult> {
    return this.queries().queryWithId(id, sql, params);
  }

  cancel(id: string): Promise<boolean> {
    return this.queries().cancel(id);
  }

  /** The Host replaced the warehouse worker (infra.useDocker/useEmbedded). */
  async servicesChanged(): Promise<void> {
    this.unsubscribe();
    this.state = { writes: 0, loading: false };
    this.unsubscribe = this.watch();
    await this.closePglite();
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.closePglite();
  }

  private queries(): Pick<EditorQueries, 'queryWithId' | 'cancel'> {
    const config = this.deps.config();
    if (config.services.warehouse.mode !== 'embedded') return this.deps.warehouse();
    if (!this.pglite) {
      const source: SnapshotSource = {
        current: () => this.state,
        snapshot: async (into) => (this.state = await this.deps.warehouse().snapshot(into)),
      };
      this.pglite = new PgliteQueries(source, {
        dir: paths.warehouseSnapshots(config),
        spawn: (dir) => spawnReaderWorker(config, dir),
      });
    }
    return this.pglite;
  }

  private watch(): () => void {
    return this.deps.onWrites((state) => (this.state = state));
  }

  private async closePglite(): Promise<void> {
    const p = this.pglite;
    this.pglite = null;
    await p?.close();
  }
}
