import type {
  CommandName,
  Commands,
  DockerBackedService,
  EtlResult,
  EventName,
  Events,
  HostApi,
  PipelineSummary,
  ProducerSettings,
  ServiceModes,
  StageStatus,
} from './contract';
import { paths, serviceModes, type EngineConfig } from './config';
import { AppCommands } from './appCommands';
import type { ErrorInfo } from './errors';
import { toErrorInfo } from './errors';
import { CommandRouter } from './host/commandRouter';
import { HostEvents } from './host/hostEvents';
import { ServiceCommands } from './host/serviceCommands';
import { ServiceSet } from './host/serviceSet';
import { StageSupervisor } from './host/stageSupervisor';
import { HostData, requestedCatalog } from './hostData';
import { InfraControl } from './infra/infraControl';
import { LiveMetrics } from './liveMetrics';
import { OffsetsView } from './offsetsView';
import { OperatorViews } from './operatorViews';
import { SummaryCommand } from './pipeline/summaryCommand';
import { ServiceBoard } from './serviceBoard';
import type { Metrics } from './services/metrics/port';
import type { WarehouseCalls } from './services/warehouse/port';
import { ReconcileCommands } from './reconcile/reconcileCommands';
import { CompactionCommands } from './compaction/compactionCommands';
import { SqlLab } from './sqlLab/sqlLab';
import { TopicCommands } from './topics/topicCommands';
import type { StreamOptions } from './stages/stream/streamStage';
import { lockDataDir } from './util/dataDirLock';
import { projectFile } from './util/projectFile';

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

/**
 * The only thing a front end talks to (HostApi): the window, the web bridge, the CLI and tests all
 * drive this, and the engine never imports electron. It wires its parts once:
 * - ServiceSet: the config in force, the warehouse worker, the metrics store;
 * - StageSupervisor: the producer, stream and ETL workers and their states;
 * - handler groups, one per area, each answering its commands (a group object with handlers(),
 *   spread into the router's table below: a new group is one line there).
 */
export class Host implements HostApi {
  private readonly router: CommandRouter;
  private readonly stages: StageSupervisor;
  private readonly live: LiveMetrics;
  private readonly offsets: OffsetsView;
  private readonly app: AppCommands;
  private readonly sqlLab: SqlLab;
  /** Reconciliation and lineage, and the Live page's time range. */
  private readonly recon: ReconcileCommands;
  /** The Topics page: topic browser, search by transaction id, live tail, a hand-written message, lag. */
  private readonly topics: TopicCommands;
  /** Compaction of the lake's small files: now, on a schedule, with progress. */
  private readonly compaction: CompactionCommands;
  private readonly data: HostData;
  /** Data quality, ETL runs (trigger, log, schedule, rerun) and alerts. */
  readonly ops: OperatorViews;
  private readonly summaries: SummaryCommand;
  private readonly serviceCommands: ServiceCommands;
  private readonly stopTick: () => void;
  private closing: Promise<void> | null = null;
  /** The compose stack: infra.* commands, and the services switched to it by infra.useDocker. */
  readonly infra: InfraControl;

  private constructor(
    private readonly events: HostEvents,
    private readonly services: ServiceSet,
    /** Whether each service answers: a failed one is shown with its error, and the app still runs. */
    private readonly board: ServiceBoard,
    private readonly release: () => void,
    options: HostOptions,
    requested: ReturnType<typeof requestedCatalog>,
  ) {
    const emit = this.events.emit;
    const config = () => services.config;
    this.infra = new InfraControl({
      composeFile: options.composeFile ?? COMPOSE_FILE,
      projectName: options.projectName,
      emit,
      wants: this.events.wants,
    });
    this.live = new LiveMetrics(
      () => services.metrics,
      () => this.data.catalog.names(),
    );
    this.stopTick = this.live.tick(
      (s) => emit('metrics.tick', s),
      () => this.events.wants('metrics.tick'),
    );
    this.offsets = new OffsetsView(
      config,
      (o) => emit('stream.offsets', o),
      (error) => emit('host.error', { source: 'lake', error }),
    );
    this.offsets.refresh();
    this.stages = new StageSupervisor({
      services,
      emit,
      catalog: () => this.data.catalog.current(),
      importing: () => this.data.imports.busy() || this.topics.busyWriting(),
      onOffsets: (o) => this.offsets.fromStream(o),
    });
    this.app = new AppCommands({
      config,
      warehouse: () => services.warehouse,
      onWrites: (listener) => services.onWrites(listener),
      startupProblems: () => options.startupProblems ?? [],
      editorRun: (q, run) => this.sqlLab.recordRun(q, run),
    });
    this.sqlLab = new SqlLab({
      dataDir: services.config.dataDir,
      query: (q) => this.app.queryPage(q),
      changed: (part) => emit('sqlLab.changed', { part }),
    });
    this.recon = new ReconcileCommands({
      config,
      warehouse: () => services.warehouse,
      metrics: () => services.metrics,
      lake: () => this.app.lakeWorker(),
      etlRunning: () => this.stages.etlBusy,
      streamRunning: () => this.stages.streamRunning,
      names: () => this.data.catalog.names(),
    });
    this.topics = new TopicCommands({
      config,
      streamGroup: () => this.offsets.get().group,
      streamRunning: () => this.stages.streamRunning,
      writerBusy: () => this.stages.producerApi !== null || this.data.imports.busy(),
      active: () => this.stages.producerApi !== null || this.stages.streamRunning || this.data.imports.busy(),
      emit,
      listening: this.events.wants,
    });
    this.data = new HostData({
      config,
      requested,
      warehouse: () => services.warehouse,
      stream: () => this.stages.streamApi,
      producer: () => this.stages.producerApi,
      metrics: () => services.metrics,
      runEtl: () => this.ops.etlRuns.run('replay'),
      emit,
    });
    this.summaries = new SummaryCommand({
      config,
      warehouse: () => services.warehouse,
      metrics: () => services.metrics,
      lastEtl: () => this.stages.lastEtl,
    });
    this.serviceCommands = new ServiceCommands({
      services,
      board,
      stages: this.stages,
      infra: this.infra,
      changed: () => this.servicesChanged(),
    });
    this.ops = new OperatorViews({
      config,
      warehouse: () => services.warehouse,
      runEtl: () => this.stages.runEtl(),
      on: (n, l) => this.on(n, l),
      emit,
      services: board,
      watch: options.checkServices === true,
    });
    this.compaction = new CompactionCommands({
      config,
      attachWarehouse: () => services.warehousePort(),
      emit,
    });
    // Every command of the contract, by area. A new handler group is one line here.
    this.router = new CommandRouter({
      ...this.stages.handlers(),
      ...this.serviceCommands.handlers(),
      ...this.live.handlers(),
      ...this.offsets.handlers(),
      ...this.summaries.handlers(),
      ...this.infra.handlers(),
      ...this.app.handlers(),
      ...this.data.handlers(),
      ...this.sqlLab.handlers(),
      ...this.recon.handlers(),
      ...this.ops.handlers(),
      ...this.topics.handlers(),
      ...this.compaction.handlers(),
    });
  }

  static async open(config: EngineConfig, options: HostOptions = {}): Promise<Host> {
    const requested = requestedCatalog(config.catalog);
    const release = lockDataDir(paths.lock(config));
    const events = new HostEvents();
    let services: ServiceSet | null = null;
    const board = new ServiceBoard({
      config: () => services?.config ?? config,
      modes: () => serviceModes(services?.config ?? config),
      emit: (list) => events.emit('services.status', list),
    });
    try {
      services = await ServiceSet.open(config, {
        waitForWarehouse: options.waitForWarehouse,
        report: (service, error) => {
          board.report(service, error);
          if (service === 'warehouse' && error)
            events.emit('host.error', { source: 'warehouse', error: toErrorInfo(error) });
        },
      });
    } catch (err) {
      release();
      throw err;
    }
    const host = new Host(events, services, board, release, options, requested);
    if (options.checkServices) void board.check(['broker', 'lake']);
    return host;
  }

  get config(): EngineConfig {
    return this.services.config;
  }

  get warehouse(): WarehouseCalls {
    return this.services.warehouse;
  }

  get metrics(): Metrics {
    return this.services.metrics;
  }

  call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']> {
    return this.router.call(name, req);
  }

  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  // What the CLI, the bench and tests drive directly (the UI goes through call()).

  startProducer(settings: Partial<ProducerSettings>): Promise<StageStatus> {
    return this.stages.startProducer(settings);
  }

  /** Resolves when the producer stops, by reaching its limit or being stopped. */
  producerDone(): Promise<void> {
    return this.stages.producerDone();
  }

  stopProducer(): Promise<StageStatus> {
    return this.stages.stopProducer();
  }

  startStream(options: Partial<StreamOptions> = {}): Promise<StageStatus> {
    return this.stages.startStream(options);
  }

  /** Waits until the stream has consumed, written and committed everything in the log now. */
  drainStream(): Promise<void> {
    return this.stages.drainStream();
  }

  stopStream(): Promise<StageStatus> {
    return this.stages.stopStream();
  }

  runEtl(): Promise<EtlResult> {
    return this.stages.runEtl();
  }

  useServices(mode: 'docker' | 'embedded', services?: DockerBackedService[]): Promise<ServiceModes> {
    return this.serviceCommands.use(mode, services);
  }

  serviceModes(): ServiceModes {
    return this.services.modes();
  }

  summary(throughputTps = 0): Promise<PipelineSummary> {
    return this.summaries.summary(throughputTps);
  }

  /** Stops everything and releases the data dir; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.stopTick();
    this.infra.close();
    await this.topics.close();
    await this.app.close();
    await this.data.close();
    await this.ops.close();
    await this.summaries.close();
    await this.compaction.close();
    await this.stages.close();
    await this.services.close();
    this.release();
  }

  /** The services in force changed (infra.useDocker/useEmbedded): each part opens on the new ones. */
  private async servicesChanged(): Promise<void> {
    this.live.reset();
    await this.app.servicesChanged();
    this.offsets.refresh();
    await this.data.servicesChanged();
    await this.ops.servicesChanged();
    await this.summaries.close();
    await this.compaction.servicesChanged();
  }
}
