import fs from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type {
  Commands,
  LakeOffsets,
  CommandName,
  EtlResult,
  Events,
  EventName,
  HostApi,
  ProducerSettings,
  StageName,
  StageStatus,
} from './contract';
import { DOCKER_SERVICES, dockerServices, paths, withServices, type EngineConfig } from './config';
import type { DockerBackedService, ServiceModes } from './contract';
import { InfraControl } from './infra/infraControl';
import { HostData, requestedCatalog, type CatalogWorker, type ReplayWorker } from './hostData';
import { PulseError, toErrorInfo, type ErrorInfo } from './errors';
import { LiveMetrics } from './liveMetrics';
import { ServiceBoard } from './serviceBoard';
import { MemoryMetrics } from './services/metrics/memoryMetrics';
import type { Metrics } from './services/metrics/port';
import { openAppMetrics, UnavailableMetrics } from './services/metrics/unavailableMetrics';
import { openBroker, openExternalMetrics } from './services/open';
import type { Warehouse } from './services/warehouse/port';
import { NO_FAULTS } from './stages/producer/faults';
import { MAX_RATE, type ProducerOptions } from './stages/producer/producerStage';
import type { StreamCounters } from './stages/stream/streamStage';
import { lockDataDir } from './util/dataDirLock';
import { serve, type Endpoint } from './workers/rpc';
import { WorkerHandle } from './workers/workerHandle';
import { summarize } from './pipeline/summary';
import { AppCommands } from './appCommands';
import { SqlLab } from './sqlLab/sqlLab';
import { OffsetsView } from './offsetsView';
import type { WarehouseWorkerApi } from './warehouseEditor';
import { CompactionCommands } from './compaction/compactionCommands';

/** A project file beside the sources, or up from a bundle in out/main/(chunks/). */
function projectFile(name: string): string {
  return (
    ['..', '../..', '../../..']
      .map((up) => fileURLToPath(new URL(`${up}/${name}`, import.meta.url)))
      .find((p) => fs.existsSync(p)) ?? name
  );
}

const INIT_SQL = projectFile('sql/init.sql');
/** RETAIL_PULSE_COMPOSE_FILE points elsewhere. */
const COMPOSE_FILE = process.env.RETAIL_PULSE_COMPOSE_FILE ?? projectFile('docker-compose.yml');

export interface HostOptions {
  /** The compose stack infra.* drives (default: the repo's docker-compose.yml). */
  composeFile?: string;
  projectName?: string;
  /**
   * Wait for the warehouse to open before Host.open resolves (default). A UI passes false: stage
   * states show at once, and warehouse calls wait until PGlite (seconds on a new data dir) is open.
   */
  waitForWarehouse?: boolean;
  /** Saved settings left out at this start (loadStartupConfig), shown on the Settings page. */
  startupProblems?: ErrorInfo[];
  /** Probe the broker and the lake in the background at start, for a UI's service health (default: no). */
  checkServices?: boolean;
}

interface ProducerApi extends CatalogWorker {
  start(): void;
  stop(): void;
  setRate(rate: number): void;
  setFaults(f: ProducerSettings['faults']): void;
  counters(): Record<string, number>;
}
interface StreamApi extends ReplayWorker {
  start(): void;
  stop(): void;
  drainTo(targets: number[]): void;
  counters(): StreamCounters;
}
interface EtlApi {
  run(): EtlResult;
}

const DEFAULT_SETTINGS: ProducerSettings = { rate: 500, seed: 42, faults: NO_FAULTS };

/**
 * Owns the services and the stage workers, and is the only thing a front end talks to (HostApi).
 * The engine never imports electron: the window, the web bridge, the CLI and tests all drive this.
 */
export class Host implements HostApi {
  private readonly listeners = new Map<EventName, Set<(p: never) => void>>();
  private readonly statuses = new Map<StageName, StageStatus>();
  private producer: WorkerHandle<ProducerApi> | null = null;
  private stream: WorkerHandle<StreamApi> | null = null;
  private etl: WorkerHandle<EtlApi> | null = null;
  private etlRunning: Promise<EtlResult> | null = null;
  private producerFinished: Promise<void> = Promise.resolve();
  private producerStopping: Promise<StageStatus> | null = null;
  private settings: ProducerSettings = DEFAULT_SETTINGS;
  private lastEtl: EtlResult | null = null;
  private readonly tick: NodeJS.Timeout;
  /** The UI's lake browser, presets, cancellable queries, ETL schedule and settings. */
  private readonly app: AppCommands;
  /** The SQL lab's schema, history and saved queries, and the Dashboard's pinned charts. */
  private readonly sqlLab: SqlLab;
  /** The lake's id, the consumer group, and where the stream's partitions started. */
  private readonly offsets: OffsetsView;
  private readonly live: LiveMetrics;
  /** Whether each service answers: a failed one is shown with its error, and the app still runs. */
  readonly services: ServiceBoard;
  /** The warehouse worker could not open its warehouse at start (services.status { recheck } retries). */
  private warehouseDown = false;
  /** Reference data (the catalog in force), quarantine replay, imports of sales files. */
  private readonly data: HostData;
  /** Compaction of the lake's small files: now, on a schedule, with progress. */
  private readonly compaction: CompactionCommands;

  /** The compose stack: infra.* commands, and the services switched to it by infra.useDocker. */
  readonly infra: InfraControl;
  private readonly dockerBacked = new Set<DockerBackedService>();

  // config, warehouse and metrics change only when infra.useDocker/useEmbedded swaps services.
  private constructor(
    public config: EngineConfig,
    private readonly release: () => void,
    private warehouseWorker: WorkerHandle<Warehouse>,
    public metrics: Metrics,
    options: HostOptions = {},
    requested: ReturnType<typeof requestedCatalog> = null,
  ) {
    this.infra = new InfraControl({
      composeFile: options.composeFile ?? COMPOSE_FILE,
      projectName: options.projectName,
      emit: (name, payload) => this.emit(name, payload),
      wants: (name) => !!this.listeners.get(name)?.size,
    });
    for (const stage of ['producer', 'stream', 'etl'] as const)
      this.statuses.set(stage, { stage, state: 'stopped', counters: {}, error: null, updatedAt: Date.now() });
    this.live = new LiveMetrics(
      () => this.metrics,
      () => this.data.catalog.names(),
    );
    this.services = new ServiceBoard({
      config: () => this.config,
      modes: () => this.serviceModes(),
      emit: (list) => this.emit('services.status', list),
    });
    this.tick = setInterval(() => {
      // A failed metrics store is shown by services.status and the Live page's own call, not every second.
      if (this.listeners.get('metrics.tick')?.size)
        void this.live.snapshot(15, true).then(
          (s) => this.emit('metrics.tick', s),
          () => undefined,
        );
    }, 1000);
    this.tick.unref();
    this.app = new AppCommands({
      config: () => this.config,
      warehouse: () => (this.warehouseWorker as unknown as WorkerHandle<WarehouseWorkerApi>).api,
      onWarehouseEvent: (listener) => this.warehouseWorker.onEvent(listener),
      runEtl: () => this.runEtl(),
      startupProblems: () => options.startupProblems ?? [],
      editorRun: (q, run) => this.sqlLab.recordRun(q, run),
    });
    this.sqlLab = new SqlLab({
      dataDir: config.dataDir,
      query: (q) => this.app.queryPage(q),
      changed: (part) => this.emit('sqlLab.changed', { part }),
    });
    this.offsets = new OffsetsView(
      () => this.config,
      (o) => this.emit('stream.offsets', o),
      (error) => this.emit('host.error', { source: 'lake', error }),
    );
    this.offsets.refresh();
    this.data = new HostData({
      config: () => this.config,
      requested,
      warehouse: () => this.warehouse,
      stream: () => this.stream?.api ?? null,
      producer: () => this.producer?.api ?? null,
      metrics: () => this.metrics,
      runEtl: () => this.runEtl(),
      emit: (name, payload) => this.emit(name, payload),
    });
    this.compaction = new CompactionCommands({
      config: () => this.config,
      attachWarehouse: () => {
        const channel = new MessageChannel();
        this.warehouseWorker.postPort('attach', channel.port1);
        return channel.port2;
      },
      emit: (name, payload) => this.emit(name, payload),
    });
  }

  static async open(config: EngineConfig, options: HostOptions = {}): Promise<Host> {
    const catalog = requestedCatalog(config.catalog);
    const release = lockDataDir(paths.lock(config));
    let metrics: Metrics | null = null;
    try {
      // Redis, when configured, is shared by every stream worker; otherwise one store lives here.
      // One that does not answer must not keep the app from starting: it is shown as failed.
      const opened = await openAppMetrics(config);
      metrics = opened.metrics;
      const { handle: warehouse, ready } = WorkerHandle.start<Warehouse>({
        role: 'warehouse',
        config,
        initSqlPath: INIT_SQL,
      });
      if (options.waitForWarehouse !== false) {
        try {
          await ready;
        } catch (err) {
          await warehouse.terminate();
          throw err;
        }
      }
      const host = new Host(config, release, warehouse, metrics, options, catalog);
      host.services.report('metrics', opened.error);
      ready.then(
        () => host.services.report('warehouse', null),
        (err: unknown) => {
          host.warehouseDown = true;
          host.services.report('warehouse', err);
          host.emit('host.error', { source: 'warehouse', error: toErrorInfo(err) });
        },
      );
      if (options.checkServices) void host.services.check(['broker', 'lake']);
      return host;
    } catch (err) {
      await metrics?.close().catch(() => undefined);
      release();
      throw err;
    }
  }

  get warehouse(): Warehouse {
    return this.warehouseWorker.api as unknown as Warehouse;
  }

  async call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
    const r = req as never;
    const handlers: { [C in CommandName]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } = {
      'stage.start': (q) => (q.stage === 'producer' ? this.startProducer(q.settings ?? {}) : this.startStream()),
      'stage.stop': (q) => (q.stage === 'producer' ? this.stopProducer() : this.stopStream()),
      'stage.list': async () => [...this.statuses.values()],
      'producer.configure': (q) => this.configureProducer(q),
      'etl.run': () => this.runEtl(),
      'etl.history': (q) => this.warehouse.runs(q.limit ?? 20),
      'metrics.snapshot': (q) => this.live.snapshot(q.minutes ?? 15),
      'pipeline.summary': () => this.summary(),
      'stream.offsets': async () => this.offsets.get(),
      ...this.infra.handlers(),
      'infra.useDocker': (q) => this.useServices('docker', q.services),
      'infra.useEmbedded': (q) => this.useServices('embedded', q.services),
      ...this.app.handlers(),
      'producer.settings': async () => this.settings,
      'services.status': (q) => (q.recheck ? this.recheckServices() : Promise.resolve(this.services.list())),
      'settings.test': (q) => this.services.test(this.config.dataDir, q.service, q.values ?? {}),
      ...this.data.handlers(),
      ...this.sqlLab.handlers(),
      ...this.compaction.handlers(),
    };
    return (handlers[name] as (q: never) => Promise<Commands[K]['res']>)(r);
  }

  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }

  async startProducer(settings: Partial<ProducerSettings>): Promise<StageStatus> {
    if (this.producer) throw new PulseError('stage_state', 'the producer is already running');
    if (this.data.imports.busy() && this.config.services.broker.mode === 'embedded')
      throw new PulseError('stage_state', 'an import is writing the embedded log: start the producer when it is done');
    const merged = this.validateSettings({
      ...this.settings,
      ...settings,
      faults: { ...this.settings.faults, ...settings.faults },
    });
    this.settings = merged;
    this.emit('producer.settings', merged);
    const options: ProducerOptions = {
      ...merged,
      topic: this.config.topic,
      partitions: this.config.partitions,
      catalog: await this.data.catalog.current(),
    };
    const handle = await this.spawnStage<ProducerApi>('producer', { role: 'producer', config: this.config, options });
    this.producer = handle;
    let finished!: () => void;
    this.producerFinished = new Promise((r) => (finished = r));
    handle.onEvent((name) => {
      if (name === 'finished') void this.stopProducer().then(finished);
    });
    handle.onExit(() => finished());
    await handle.api.start();
    return this.setState('producer', 'running');
  }

  /** Resolves when the producer stops, by reaching its limit or being stopped. */
  producerDone(): Promise<void> {
    return this.producerFinished;
  }

  /**
   * One stop at a time: a stop asked for and the 'finished' event it causes share it, so the thread
   * is never terminated while the other reads its last counters.
   */
  stopProducer(): Promise<StageStatus> {
    const handle = this.producer;
    if (!handle) return Promise.resolve(this.statuses.get('producer')!);
    this.producerStopping ??= (async () => {
      this.setState('producer', 'stopping');
      await handle.api.stop().catch(() => undefined);
      // Counters are pushed twice a second: the last ones are read before the thread goes.
      const last = await handle.api.counters().catch(() => this.statuses.get('producer')!.counters);
      this.producer = null;
      await handle.terminate();
      return this.setState('producer', 'stopped', { ...last, rate: 0 });
    })().finally(() => (this.producerStopping = null));
    return this.producerStopping;
  }

  async configureProducer(q: {
    rate?: number;
    faults?: Partial<ProducerSettings['faults']>;
  }): Promise<ProducerSettings> {
    const next = this.validateSettings({
      ...this.settings,
      rate: q.rate ?? this.settings.rate,
      faults: { ...this.settings.faults, ...q.faults },
    });
    this.settings = next;
    this.emit('producer.settings', next);
    if (this.producer) {
      if (q.rate !== undefined) await this.producer.api.setRate(next.rate);
      if (q.faults) await this.producer.api.setFaults(next.faults);
    }
    return next;
  }

  async startStream(options: Record<string, unknown> = {}): Promise<StageStatus> {
    if (this.stream) throw new PulseError('stage_state', 'the stream is already running');
    if (this.metrics instanceof UnavailableMetrics) await this.reconnectMetrics();
    let handle: WorkerHandle<StreamApi>;
    if (this.metrics.kind === 'memory') {
      // The embedded store lives in this thread: the worker gets a port to it.
      const channel = new MessageChannel();
      const disposeMetrics = serve(channel.port1 as unknown as Endpoint, this.metrics);
      channel.port1.unref();
      handle = await this.spawnStage<StreamApi>(
        'stream',
        { role: 'stream', config: this.config, options: await this.streamOptions(options), metricsPort: channel.port2 },
        [channel.port2],
      );
      handle.onExit(() => {
        disposeMetrics();
        channel.port1.close();
      });
    } else {
      handle = await this.spawnStage<StreamApi>('stream', {
        role: 'stream',
        config: this.config,
        options: await this.streamOptions(options),
      });
    }
    this.stream = handle;
    handle.onEvent((name, payload) => {
      if (name === 'offsets') this.offsets.fromStream(payload as LakeOffsets);
    });
    await handle.api.start();
    return this.setState('stream', 'running');
  }

  /** Waits until the stream has consumed, written and committed everything in the log now. */
  async drainStream(): Promise<void> {
    if (!this.stream) throw new PulseError('stage_state', 'start the stream before draining it');
    const broker = await openBroker(this.config);
    try {
      await broker.ensureTopic(this.config.topic, this.config.partitions);
      const targets = await broker.endOffsets(this.config.topic);
      await this.stream.api.drainTo(targets);
      // Counters are pushed twice a second: after a drain, report the final ones now.
      this.setCounters('stream', (await this.stream.api.counters()) as unknown as Record<string, number>);
    } finally {
      await broker.close();
    }
  }

  async stopStream(): Promise<StageStatus> {
    const handle = this.stream;
    if (!handle) return this.statuses.get('stream')!;
    this.setState('stream', 'stopping');
    await handle.api.stop().catch((err) => this.fail('stream', toErrorInfo(err)));
    const last = await handle.api.counters().catch(() => null);
    this.stream = null;
    await handle.terminate();
    if (last) this.setCounters('stream', last as unknown as Record<string, number>);
    return this.statuses.get('stream')!.state === 'failed'
      ? this.statuses.get('stream')!
      : this.setState('stream', 'stopped');
  }

  /** One ETL run at a time; a second request while one runs gets the running one's result. */
  runEtl(): Promise<EtlResult> {
    if (this.etlRunning) return this.etlRunning;
    this.etlRunning = (async () => {
      this.setState('etl', 'running');
      try {
        // The lake's catalog history is written before the ETL reads it (a new data dir writes its first version).
        await this.data.catalog.current().catch(() => undefined);
        if (!this.etl) {
          const channel = new MessageChannel();
          this.warehouseWorker.postPort('attach', channel.port1);
          this.etl = await this.spawnStage<EtlApi>(
            'etl',
            { role: 'etl', config: this.config, warehousePort: channel.port2 },
            [channel.port2],
          );
          this.etl.onEvent((name, payload) => {
            if (name === 'progress') this.emit('etl.progress', payload as Events['etl.progress']);
          });
          this.etl.onExit(() => (this.etl = null));
        }
        const result = await this.etl.api.run();
        this.lastEtl = result;
        if (result.status === 'failed')
          this.fail('etl', { code: 'warehouse_failed', message: result.error ?? 'ETL failed', retriable: true });
        else
          this.setState('etl', 'stopped', {
            files: result.files,
            rowsInserted: result.rowsInserted,
            rowsSkipped: result.rowsSkipped,
          });
        return result;
      } finally {
        this.etlRunning = null;
      }
    })();
    return this.etlRunning;
  }

  /** Probes every service again; a metrics store or warehouse that failed at start is opened once it answers. */
  private async recheckServices(): Promise<Commands['services.status']['res']> {
    if (this.metrics instanceof UnavailableMetrics && !this.stream)
      await this.reconnectMetrics().catch(() => undefined);
    if (this.warehouseDown && !this.etlRunning) {
      const reopened = await WorkerHandle.spawn<Warehouse>({
        role: 'warehouse',
        config: this.config,
        initSqlPath: INIT_SQL,
      }).then(
        (w) => w,
        () => null,
      );
      if (reopened) {
        await this.etl?.terminate();
        await this.warehouseWorker.terminate();
        this.warehouseWorker = reopened;
        this.warehouseDown = false;
      }
    }
    return this.services.check();
  }

  private async reconnectMetrics(): Promise<void> {
    const { metrics, error } = await openAppMetrics(this.config);
    this.services.report('metrics', error);
    if (error) throw error;
    this.metrics = metrics;
    this.live.reset();
  }

  /**
   * Moves services onto the compose stack (healthy first) or back to embedded. Stages hold
   * connections to the old ones, so they must be stopped; the new warehouse and metrics open
   * before the old ones close, so a refused switch leaves everything as it was.
   */
  async useServices(
    mode: 'docker' | 'embedded',
    services: DockerBackedService[] = ['broker', 'lake', 'warehouse', 'metrics'],
  ): Promise<ServiceModes> {
    const busy = [...this.statuses.values()].filter(
      (s) => s.state === 'running' || s.state === 'starting' || s.state === 'stopping',
    );
    if (busy.length || this.etlRunning)
      throw new PulseError(
        'stage_state',
        `stop ${busy.map((s) => s.stage).join(', ') || 'the ETL'} before switching services: stages keep connections to the services they started with`,
      );
    let next: EngineConfig;
    if (mode === 'docker') {
      await this.infra.requireHealthy(
        services.flatMap((s) => [...DOCKER_SERVICES[s].compose]),
        services.flatMap((s): string[] => [...DOCKER_SERVICES[s].jobs]),
      );
      next = withServices(this.config, services, dockerServices(this.infra.stack().project));
    } else next = withServices(this.config, services, {});
    const metrics = services.includes('metrics') ? ((await openExternalMetrics(next)) ?? new MemoryMetrics()) : null;
    let warehouse: WorkerHandle<Warehouse> | null = null;
    try {
      if (services.includes('warehouse'))
        warehouse = await WorkerHandle.spawn<Warehouse>({ role: 'warehouse', config: next, initSqlPath: INIT_SQL });
    } catch (err) {
      await metrics?.close().catch(() => undefined);
      throw err;
    }
    await this.etl?.terminate();
    this.etl = null;
    if (warehouse) {
      await this.warehouse.close().catch(() => undefined);
      await this.warehouseWorker.terminate();
      this.warehouseWorker = warehouse;
      this.warehouseDown = false;
    }
    if (metrics) {
      await this.metrics.close().catch(() => undefined);
      this.metrics = metrics;
    }
    this.config = next;
    this.live.reset();
    await this.app.servicesChanged();
    this.offsets.refresh();
    await this.data.servicesChanged();
    await this.compaction.servicesChanged();
    for (const s of services) {
      if (mode === 'docker') this.dockerBacked.add(s);
      else this.dockerBacked.delete(s);
    }
    void this.services.check(services);
    return this.serviceModes();
  }

  serviceModes(): ServiceModes {
    const mode = (s: DockerBackedService) => (this.dockerBacked.has(s) ? 'docker' : this.config.services[s].mode);
    return { broker: mode('broker'), lake: mode('lake'), warehouse: mode('warehouse'), metrics: mode('metrics') };
  }

  async summary(throughputTps = 0): Promise<Commands['pipeline.summary']['res']> {
    return summarize({
      config: this.config,
      warehouse: this.warehouse,
      metrics: this.metrics,
      etl: this.lastEtl,
      throughputTps,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.tick);
    this.infra.close();
    await this.app.close();
    await this.data.close();
    await this.compaction.close();
    await this.stopProducer();
    await this.stopStream();
    await this.etlRunning?.catch(() => undefined);
    await this.etl?.terminate();
    await this.warehouse.close().catch(() => undefined);
    await this.warehouseWorker.terminate();
    await this.metrics.close().catch(() => undefined);
    this.release();
  }

  private async streamOptions(options: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { topic, partitions, group } = this.config;
    const catalog = await this.data.catalog.current();
    return { topic, partitions, ...(group ? { group } : {}), catalog, ...options };
  }

  private validateSettings(s: ProducerSettings): ProducerSettings {
    if (!Number.isFinite(s.rate) || s.rate <= 0 || s.rate > MAX_RATE)
      throw new PulseError('config_invalid', `rate must be between 1 and ${MAX_RATE} transactions/s, got ${s.rate}`, {
        field: 'rate',
      });
    if (!Number.isInteger(s.seed))
      throw new PulseError('config_invalid', `seed must be an integer, got ${s.seed}`, { field: 'seed' });
    if (s.limit !== undefined && (!Number.isInteger(s.limit) || s.limit < 0))
      throw new PulseError('config_invalid', `limit must be a whole number, got ${s.limit}`, { field: 'limit' });
    for (const [k, v] of Object.entries(s.faults)) {
      if (typeof v !== 'number' || !(v >= 0 && v <= 1))
        throw new PulseError('config_invalid', `fault rate ${k} must be between 0 and 1, got ${String(v)}`, {
          field: `faults.${k}`,
        });
    }
    return s;
  }

  private async spawnStage<T>(
    stage: StageName,
    init: Parameters<typeof WorkerHandle.spawn>[0],
    transfer: Parameters<typeof WorkerHandle.spawn>[1] = [],
  ): Promise<WorkerHandle<T>> {
    this.setState(stage, 'starting');
    try {
      const handle = await WorkerHandle.spawn<T>(init, transfer);
      handle.onEvent((name, payload) => {
        // A push that crossed the stop must not bring back a running stage's counters (and rate).
        if (name === 'counters' && this.statuses.get(stage)!.state !== 'stopped')
          this.setCounters(stage, payload as Record<string, number>);
        if (name === 'error') this.emit('host.error', { source: stage, error: payload as ErrorInfo });
      });
      handle.onExit((code, error) => {
        if (error && this.statuses.get(stage)!.state !== 'stopping') this.fail(stage, error);
      });
      return handle;
    } catch (err) {
      this.fail(stage, toErrorInfo(err));
      throw err;
    }
  }

  private setState(stage: StageName, state: StageStatus['state'], counters?: Record<string, number>): StageStatus {
    const prev = this.statuses.get(stage)!;
    const next: StageStatus = {
      stage,
      state,
      counters: counters ?? prev.counters,
      error: state === 'failed' ? prev.error : null,
      updatedAt: Date.now(),
    };
    this.statuses.set(stage, next);
    this.emit('stage.status', next);
    return next;
  }

  private setCounters(stage: StageName, counters: Record<string, number>): void {
    const next = { ...this.statuses.get(stage)!, counters, updatedAt: Date.now() };
    this.statuses.set(stage, next);
    this.emit('stage.status', next);
  }

  private fail(stage: StageName, error: ErrorInfo): void {
    const next: StageStatus = { ...this.statuses.get(stage)!, state: 'failed', error, updatedAt: Date.now() };
    this.statuses.set(stage, next);
    this.emit('stage.status', next);
    this.emit('host.error', { source: stage, error });
  }

  private emit<K extends EventName>(name: K, payload: Events[K]): void {
    for (const l of this.listeners.get(name) ?? []) (l as (p: Events[K]) => void)(payload);
  }
}
