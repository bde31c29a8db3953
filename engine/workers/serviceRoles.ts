/**
 * The workers that keep heavy work off the Host's thread (Electron's main process): the warehouse
 * (PGlite blocks its thread for a whole query), the editor's snapshot readers, DuckDB over the lake,
 * quarantine listing and replay, sales file imports, and the pipeline summary's counts.
 */
import { reconcileLakeApi } from '../reconcile/reconcileLakeApi';
import { paths } from '../config';
import { ImportSession } from '../ingest/importSession';
import { LakeCounter } from '../lakeBrowser/lakeCounts';
import { LakeSql, openLakeSqlDuck } from '../lakeBrowser/lakeSql';
import { indexCatalog } from '../model/catalog';
import { countDurable } from '../pipeline/summary';
import { quarantineApi } from '../quarantine/quarantineWorker';
import { openBroker, openLake, openWarehouse } from '../services/open';
import { ServerQueries } from '../services/warehouse/editorQueries';
import type { PgliteWarehouse } from '../services/warehouse/pgliteWarehouse';
import type { Warehouse, WarehouseCalls } from '../services/warehouse/port';
import { PulseError } from '../errors';
import type { RoleStarter } from './protocol';
import { serve } from './rpc';

export const startWarehouse: RoleStarter<'warehouse'> = async (init, emit) => {
  const warehouse = await openWarehouse(init.config, init.initSqlPath);
  // An AbortSignal cannot cross threads: the UI cancels by query id, here where a PostgreSQL query
  // runs. PGlite's editor runs on the Host instead (warehouseEditor.ts), which gets the write state
  // as events and takes snapshots through this port.
  const editor = new ServerQueries(warehouse);
  const pglite = isPglite(warehouse) ? warehouse : null;
  pglite?.watchWrites((state) => emit('writes', state));
  const calls: WarehouseCalls = warehouse;
  return {
    loadedFiles: () => calls.loadedFiles(),
    dimKeys: () => calls.dimKeys(),
    loadChunk: (chunk) => calls.loadChunk(chunk),
    beginRun: (runId) => calls.beginRun(runId),
    finishRun: (run) => calls.finishRun(run),
    runs: (limit) => calls.runs(limit),
    runFiles: (runId, limit) => calls.runFiles(runId, limit),
    newestLoad: () => calls.newestLoad(),
    query: (sql, params) => calls.query(sql, params),
    totals: () => calls.totals(),
    syncCatalog: (history) => calls.syncCatalog(history),
    maintain: () => calls.maintain(),
    queryWithId: (id, sql, params) => editor.queryWithId(id, sql, params),
    cancel: (id) => editor.cancel(id),
    snapshot: (into) => {
      if (!pglite) throw new PulseError('internal', 'only the embedded warehouse takes snapshots');
      return pglite.snapshot(into);
    },
    // Other threads (the ETL worker) get their own port to the same warehouse.
    attach: (port) => void serve(port, calls),
    settled: async () => undefined,
    close: async () => {
      await editor.close();
      await warehouse.close();
    },
  };
};

/** By its kind, so that a thread that never opens PGlite never loads it. */
function isPglite(w: Warehouse): w is PgliteWarehouse {
  return w.kind === 'pglite';
}

export const startWarehouseReader: RoleStarter<'warehouse-reader'> = async (init) => {
  const { PgliteReader } = await import('../services/warehouse/pgliteReader');
  const reader = await PgliteReader.open(init.snapshotDir);
  return { query: (sql, params) => reader.query(sql, params) };
};

export const startLake: RoleStarter<'lake'> = async (init) => {
  const { config } = init;
  // DuckDB over the lake for the lake browser, reading the lake's files only.
  const local = config.services.lake.mode === 'embedded' ? paths.lake(config) : paths.lakeCache(config);
  const lake = await openLake(config);
  const sql = new LakeSql(lake, await openLakeSqlDuck([local]));
  const counter = new LakeCounter(lake);
  return {
    query: (text, limit) => sql.query(text, limit),
    quarantine: (limit) => sql.quarantine(limit),
    counts: () => counter.counts(),
    ...reconcileLakeApi(lake, [local]),
  };
};

export const startQuarantine: RoleStarter<'quarantine'> = async (init) => {
  const api = quarantineApi(await openLake(init.config), null);
  return {
    list: (filter, limit) => api.list(filter, limit),
    replay: (filter, catalog) => api.replay(filter, indexCatalog(catalog)),
  };
};

export const startImporter: RoleStarter<'importer'> = async (init, emit) => {
  // One import at a time per worker: the session holds the topic's producer.
  const broker = await openBroker(init.config);
  let session: ImportSession | null = null;
  const live = (): ImportSession => {
    if (!session) throw new PulseError('stage_state', 'begin an import first');
    return session;
  };
  return {
    begin: async (name, bytes, format) => {
      session = new ImportSession(broker, init.config, (p) => emit('progress', p));
      await session.beginFile(name, bytes, format);
      return { importId: session.importId };
    },
    chunk: (text, bytes) => live().push(text, bytes),
    end: async () => {
      await live().endFile();
      return live().finish();
    },
    cancel: () => live().finish(true),
  };
};

export const startSummary: RoleStarter<'summary'> = async (init) => ({ count: () => countDurable(init.config) });

/** Data quality's reads of the lake (loaded on first use: a thread of another role never loads it). */
export const startQuality: RoleStarter<'quality'> = async (init) =>
  (await import('../quality/qualityScanner')).qualityWorkerApi(init.config);
