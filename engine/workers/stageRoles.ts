/**
 * The stage workers' threads: producer, stream and ETL. Each starter opens what its stage needs
 * (its own broker, lake and DuckDB connections; ports to the services the Host's threads own) and
 * returns the API it serves (workers/protocol.ts).
 */
import { CatalogHolder } from '../catalog/catalogHolder';
import { IdIndex } from '../dedupe/idIndex';
import { toErrorInfo } from '../errors';
import { quarantineApi } from '../quarantine/quarantineWorker';
import { openDuck } from '../services/lake/duck';
import type { MetricsCalls } from '../services/metrics/port';
import { openBroker, openExternalMetrics, openLake } from '../services/open';
import type { WarehouseCalls } from '../services/warehouse/port';
import { ETL_DUCK_MEMORY_LIMIT, runEtl } from '../stages/etl/etlStage';
import { ProducerStage } from '../stages/producer/producerStage';
import { STREAM_DEFAULTS, StreamStage } from '../stages/stream/streamStage';
import type { RoleStarter } from './protocol';
import { connect } from './rpc';

/** Counters are pushed twice a second. */
function pushCounters(push: () => void): void {
  const timer = setInterval(push, 500);
  timer.unref();
}

export const startProducer: RoleStarter<'producer'> = async (init, emit) => {
  const stage = new ProducerStage(await openBroker(init.config), init.options);
  pushCounters(() => emit('counters', stage.counters));
  return {
    start: () =>
      stage.start().then(
        () =>
          void stage.done().then(
            () => emit('finished', stage.counters),
            (e) => emit('error', toErrorInfo(e)),
          ),
      ),
    stop: () => stage.stop(),
    setRate: (rate) => stage.setRate(rate),
    setFaults: (f) => stage.setFaults(f),
    setCatalog: (c) => stage.setCatalog(c),
    counters: () => stage.counters,
  };
};

export const startStream: RoleStarter<'stream'> = async (init, emit) => {
  const { config } = init;
  const metrics: MetricsCalls | null = init.metricsPort
    ? connect<MetricsCalls>(init.metricsPort).api
    : await openExternalMetrics(config);
  if (!metrics) throw new Error('the stream worker got neither a metrics port nor an external metrics store');
  const { catalog: initial, ...options } = init.options;
  const catalog = new CatalogHolder(initial);
  const lake = await openLake(config);
  // The Host pushes a change at once; the lake's history catches one made by another machine's app.
  const follow = setInterval(() => void catalog.refreshFrom(lake).catch((e) => emit('error', toErrorInfo(e))), 15_000);
  follow.unref();
  // Every transaction id in silver, for duplicates across the whole history (a scan of silver at start).
  // DuckDB's limits fit the stream's byte cap (STREAM_DEFAULTS.flushBytes): one flush's staging tables and its compression.
  const ids = await IdIndex.open(lake, await openDuck({ threads: 1, memoryLimit: '64MB' }));
  const stage = new StreamStage(
    {
      broker: await openBroker(config),
      lake,
      metrics,
      duck: await openDuck({ threads: 1, memoryLimit: '128MB' }),
      catalog,
      ids,
      onError: (e) => emit('error', e),
      onOffsets: (r) => emit('offsets', r),
    },
    { ...STREAM_DEFAULTS, ...options },
  );
  const quarantine = quarantineApi(lake, ids);
  pushCounters(() => emit('counters', stage.counters));
  return {
    setCatalog: (c) => catalog.set(c),
    // A replay while the stream runs goes through its id index: a copy it holds unwritten is seen.
    replay: (filter) => quarantine.replay(filter, catalog.current()),
    start: () => stage.start(),
    stop: () => stage.stop(),
    drainTo: (targets) => stage.drainTo(targets),
    counters: () => stage.counters,
  };
};

export const startEtl: RoleStarter<'etl'> = async (init, emit) => {
  const warehouse: WarehouseCalls = connect<WarehouseCalls>(init.warehousePort).api;
  const lake = await openLake(init.config);
  const duck = await openDuck({ threads: 2, memoryLimit: ETL_DUCK_MEMORY_LIMIT });
  return { run: () => runEtl({ lake, duck, warehouse, onProgress: (p) => emit('progress', p) }) };
};
