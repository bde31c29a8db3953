/**
 * Entry point of every engine worker thread. The Host starts one per role; the role's object is
 * served over the parent port (rpc.ts) and its counters are pushed as events twice a second.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { reportThreadMemory } from '../util/threadMemory';
import { paths, type EngineConfig } from '../config';
import { toErrorInfo } from '../errors';
import { openDuck } from '../services/lake/duck';
import type { Metrics } from '../services/metrics/port';
import { openBroker, openExternalMetrics, openLake, openWarehouse } from '../services/open';
import type { Warehouse } from '../services/warehouse/port';
import { ServerQueries, type EditorQueries } from '../services/warehouse/editorQueries';
import { runEtl } from '../stages/etl/etlStage';
import { ProducerStage, type ProducerOptions } from '../stages/producer/producerStage';
import { STREAM_DEFAULTS, StreamStage, type StreamOptions } from '../stages/stream/streamStage';
import { connect, emit, serve, type Endpoint } from './rpc';
import type { QuarantineQuery, SalesFileFormat } from '../contract';
import { ImportSession } from '../ingest/importSession';
import { indexCatalog } from '../model/catalog';
import { LakeSql, openLakeSqlDuck } from '../lakeBrowser/lakeSql';
import { LakeCounter } from '../lakeBrowser/lakeCounts';
import type { PgliteWarehouse } from '../services/warehouse/pgliteWarehouse';
import { CatalogHolder } from '../catalog/catalogHolder';
import type { Catalog } from '../model/catalog';
import { IdIndex } from '../dedupe/idIndex';
import { quarantineApi } from '../quarantine/quarantineWorker';

export type WorkerRole =
  'producer' | 'stream' | 'etl' | 'warehouse' | 'warehouse-reader' | 'lake' | 'quarantine' | 'importer';

/** What the warehouse worker adds to the port: the editor's queries, which the UI can cancel by id. */
export type CancellableQueries = Omit<EditorQueries, 'close'>;

export interface WorkerInit {
  role: WorkerRole;
  config: EngineConfig;
  options?: unknown;
  /** Ports to services another thread owns: metrics (Host), warehouse (warehouse worker). */
  metricsPort?: MessagePort;
  warehousePort?: MessagePort;
  /** sql/init.sql, applied by the warehouse worker when it opens the warehouse. */
  initSqlPath?: string;
}

const port = parentPort as unknown as Endpoint;
const init = workerData as WorkerInit;

function pushCounters(read: () => object): void {
  const timer = setInterval(() => emit(port, 'counters', read()), 500);
  timer.unref();
}

async function main(): Promise<void> {
  const { config } = init;
  reportThreadMemory(init.role);
  switch (init.role) {
    case 'warehouse': {
      const warehouse = await openWarehouse(config, init.initSqlPath ?? 'sql/init.sql');
      // Other threads (the ETL worker) get their own port to the same warehouse through attach().
      // An AbortSignal cannot cross threads: the UI cancels by query id, here where a PostgreSQL
      // query runs. PGlite's editor runs on the Host instead (warehouseEditor.ts), which gets the
      // write state as events and takes snapshots through this port.
      const editor = new ServerQueries(warehouse);
      if (warehouse.kind === 'pglite')
        (warehouse as PgliteWarehouse).watchWrites((state) => emit(port, 'writes', state));
      const cancellable: CancellableQueries = {
        queryWithId: (id, sql, params) => editor.queryWithId(id, sql, params),
        cancel: (id) => editor.cancel(id),
      };
      serve(
        port,
        Object.assign(Object.create(warehouse) as object, cancellable, {
          attach: (p: MessagePort) => void serve(p as unknown as Endpoint, warehouse),
          close: async () => {
            await editor.close();
            await warehouse.close();
          },
        }),
      );
      break;
    }
    case 'warehouse-reader': {
      const { PgliteReader } = await import('../services/warehouse/pgliteReader');
      const reader = await PgliteReader.open((init.options as { snapshotDir: string }).snapshotDir);
      serve(port, { query: (sql: string, params: unknown[]) => reader.query(sql, params) });
      break;
    }
    case 'lake': {
      // DuckDB over the lake for the lake browser, off the Host's thread, reading the lake's files only.
      const local = config.services.lake.mode === 'embedded' ? paths.lake(config) : paths.lakeCache(config);
      const lake = await openLake(config);
      const sql = new LakeSql(lake, await openLakeSqlDuck([local]));
      const counter = new LakeCounter(lake);
      serve(port, {
        query: (text: string, limit?: number) => sql.query(text, limit),
        quarantine: (limit?: number) => sql.quarantine(limit),
        counts: () => counter.counts(),
      });
      break;
    }
    case 'producer': {
      const stage = new ProducerStage(await openBroker(config), init.options as ProducerOptions);
      serve(port, {
        start: () =>
          stage.start().then(
            () =>
              void stage.done().then(
                () => emit(port, 'finished', stage.counters),
                (e) => emit(port, 'error', toErrorInfo(e)),
              ),
          ),
        stop: () => stage.stop(),
        setRate: (rate: number) => stage.setRate(rate),
        setFaults: (f: ProducerOptions['faults']) => stage.setFaults(f),
        setCatalog: (c: Catalog) => stage.setCatalog(c),
        counters: () => stage.counters,
      });
      pushCounters(() => stage.counters);
      break;
    }
    case 'stream': {
      const metrics = init.metricsPort
        ? (connect<Metrics>(init.metricsPort as unknown as Endpoint).api as unknown as Metrics)
        : await openExternalMetrics(config);
      if (!metrics) throw new Error('the stream worker got neither a metrics port nor an external metrics store');
      const { catalog: initial, ...options } = init.options as Partial<StreamOptions> & { catalog: Catalog };
      const catalog = new CatalogHolder(initial);
      const lake = await openLake(config);
      // The Host pushes a change at once; the lake's history catches one made by another machine's app.
      const follow = setInterval(
        () => void catalog.refreshFrom(lake).catch((e) => emit(port, 'error', toErrorInfo(e))),
        15_000,
      );
      follow.unref();
      // Every transaction id in silver, for duplicates across the whole history (a scan of silver at start).
      const ids = await IdIndex.open(lake, await openDuck({ threads: 1 }));
      const stage = new StreamStage(
        {
          broker: await openBroker(config),
          lake,
          metrics,
          duck: await openDuck({ threads: 1 }),
          catalog,
          ids,
          onError: (e) => emit(port, 'error', e),
          onOffsets: (r) => emit(port, 'offsets', r),
        },
        { ...STREAM_DEFAULTS, ...options },
      );
      const quarantine = quarantineApi(lake, ids);
      serve(port, {
        setCatalog: (c: Catalog) => catalog.set(c),
        // A replay while the stream runs goes through its id index: a copy it holds unwritten is seen.
        replay: (filter: QuarantineQuery) => quarantine.replay(filter, catalog.current()),
        start: () => stage.start(),
        stop: () => stage.stop(),
        drainTo: (targets: number[]) => stage.drainTo(targets),
        counters: () => stage.counters,
      });
      pushCounters(() => stage.counters);
      break;
    }
    case 'quarantine': {
      const lake = await openLake(config);
      const api = quarantineApi(lake, null);
      serve(port, {
        list: (filter: QuarantineQuery, limit?: number) => api.list(filter, limit),
        replay: (filter: QuarantineQuery, c: Catalog) => api.replay(filter, indexCatalog(c)),
      });
      break;
    }
    case 'importer': {
      // One import at a time per worker: the session holds the topic's producer.
      const broker = await openBroker(config);
      let session: ImportSession | null = null;
      const live = (): ImportSession => {
        if (!session) throw new Error('begin an import first');
        return session;
      };
      serve(port, {
        begin: async (name: string, bytes: number, format?: SalesFileFormat) => {
          session = new ImportSession(broker, config, (p) => emit(port, 'progress', p));
          await session.beginFile(name, bytes, format);
          return { importId: session.importId };
        },
        chunk: (text: string, bytes: number) => live().push(text, bytes),
        end: async () => {
          await live().endFile();
          return live().finish();
        },
        cancel: () => live().finish(true),
      });
      break;
    }
    case 'etl': {
      const warehouse = connect<Warehouse>(init.warehousePort as unknown as Endpoint).api as unknown as Warehouse;
      const lake = await openLake(config);
      const duck = await openDuck({ threads: 2 });
      serve(port, { run: () => runEtl({ lake, duck, warehouse, onProgress: (p) => emit(port, 'progress', p) }) });
      break;
    }
  }
  emit(port, 'ready', null);
}

main().catch((err) => {
  emit(port, 'fatal', toErrorInfo(err));
  // Let the message reach the Host before the thread goes.
  setTimeout(() => process.exit(1), 50);
});
