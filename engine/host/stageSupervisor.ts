import type { EtlResult, EventName, Events, ProducerSettings, StageStatus } from '../contract';
import { PulseError, toErrorInfo } from '../errors';
import type { Catalog } from '../model/catalog';
import { openBroker } from '../services/open';
import type { StreamOptions } from '../stages/stream/streamStage';
import type { WorkerHandle } from '../workers/workerHandle';
import type { Handlers } from './commandRouter';
import { DEFAULT_PRODUCER_SETTINGS, mergeProducerSettings } from './producerSettings';
import type { ServiceSet } from './serviceSet';
import { StageBoard } from './stageBoard';

/** etl.run is EtlRuns' (etlRuns/), which records what started each run and calls runEtl() here. */
export type StageCommand =
  'stage.start' | 'stage.stop' | 'stage.list' | 'producer.configure' | 'producer.settings' | 'etl.history';

export interface StageSupervisorDeps {
  services: ServiceSet;
  emit: <K extends EventName>(name: K, payload: Events[K]) => void;
  /** The catalog in force, handed to the producer and the stream when they start. */
  catalog: () => Promise<Catalog>;
  /** An import holds the embedded log's only writer. */
  importing: () => boolean;
  /** The stream's report of where its partitions start (OffsetsView). */
  onOffsets: (o: Events['stream.offsets']) => void;
}

/**
 * The three stages, one worker thread each: started, stopped and watched here, their states and
 * counters on the StageBoard. The producer's settings stay in force while it is stopped; one stop
 * and one ETL run at a time.
 */
export class StageSupervisor {
  readonly board: StageBoard;
  private producer: WorkerHandle<'producer'> | null = null;
  private stream: WorkerHandle<'stream'> | null = null;
  private etl: WorkerHandle<'etl'> | null = null;
  private etlRunning: Promise<EtlResult> | null = null;
  private producerFinished: Promise<void> = Promise.resolve();
  private producerStopping: Promise<StageStatus> | null = null;
  private settings: ProducerSettings = DEFAULT_PRODUCER_SETTINGS;
  private last: EtlResult | null = null;

  constructor(private readonly deps: StageSupervisorDeps) {
    this.board = new StageBoard(deps.emit);
  }

  handlers(): Handlers<StageCommand> {
    return {
      'stage.start': (q) => (q.stage === 'producer' ? this.startProducer(q.settings ?? {}) : this.startStream()),
      'stage.stop': (q) => (q.stage === 'producer' ? this.stopProducer() : this.stopStream()),
      'stage.list': async () => this.board.list(),
      'producer.configure': (q) => this.configureProducer(q),
      'producer.settings': async () => this.settings,
      'etl.history': (q) => this.deps.services.warehouse.runs(q.limit ?? 20),
    };
  }

  /** The running workers' APIs (null when stopped): a new catalog goes to both, a replay to the stream. */
  get producerApi() {
    return this.producer?.api ?? null;
  }
  get streamApi() {
    return this.stream?.api ?? null;
  }
  get streamRunning(): boolean {
    return this.stream !== null;
  }
  get etlBusy(): boolean {
    return this.etlRunning !== null;
  }
  /** The last ETL run's result, for the pipeline summary. */
  get lastEtl(): EtlResult | null {
    return this.last;
  }

  async startProducer(settings: Partial<ProducerSettings>): Promise<StageStatus> {
    if (this.producer) throw new PulseError('stage_state', 'the producer is already running');
    const { config } = this.deps.services;
    if (this.deps.importing() && config.services.broker.mode === 'embedded')
      throw new PulseError(
        'stage_state',
        'an import or a hand-written message is writing the embedded log: start the producer when it is done',
      );
    this.settings = mergeProducerSettings(this.settings, settings);
    this.deps.emit('producer.settings', this.settings);
    const options = {
      ...this.settings,
      topic: config.topic,
      partitions: config.partitions,
      catalog: await this.deps.catalog(),
    };
    const handle = await this.board.spawn('producer', { role: 'producer', config, options });
    this.producer = handle;
    let finished!: () => void;
    this.producerFinished = new Promise((r) => (finished = r));
    handle.on('counters', (c) => this.board.pushed('producer', c));
    handle.on('finished', () => void this.stopProducer().then(finished));
    handle.onExit(() => finished());
    await handle.api.start();
    return this.board.setState('producer', 'running');
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
    if (!handle) return Promise.resolve(this.board.get('producer'));
    this.producerStopping ??= (async () => {
      this.board.setState('producer', 'stopping');
      await handle.api.stop().catch(() => undefined);
      // Counters are pushed twice a second: the last ones are read before the thread goes.
      const last = await handle.api.counters().catch(() => this.board.get('producer').counters);
      this.producer = null;
      await handle.terminate();
      return this.board.setState('producer', 'stopped', { ...last, rate: 0 });
    })().finally(() => (this.producerStopping = null));
    return this.producerStopping;
  }

  async configureProducer(q: {
    rate?: number;
    faults?: Partial<ProducerSettings['faults']>;
  }): Promise<ProducerSettings> {
    this.settings = mergeProducerSettings(this.settings, q);
    this.deps.emit('producer.settings', this.settings);
    if (this.producer) {
      if (q.rate !== undefined) await this.producer.api.setRate(this.settings.rate);
      if (q.faults) await this.producer.api.setFaults(this.settings.faults);
    }
    return this.settings;
  }

  async startStream(options: Partial<StreamOptions> = {}): Promise<StageStatus> {
    if (this.stream) throw new PulseError('stage_state', 'the stream is already running');
    const { services } = this.deps;
    if (services.metricsDown()) await services.reconnectMetrics();
    const { config } = services;
    const { topic, partitions, group } = config;
    const streamOptions = {
      topic,
      partitions,
      ...(group ? { group } : {}),
      catalog: await this.deps.catalog(),
      ...options,
    };
    // The embedded metrics store lives in the Host's thread: the worker gets a port to it.
    const metrics = services.metricsPort();
    const handle = await this.board
      .spawn(
        'stream',
        { role: 'stream', config, options: streamOptions, ...(metrics ? { metricsPort: metrics.port } : {}) },
        metrics ? [metrics.port] : [],
      )
      .catch((err: unknown) => {
        metrics?.dispose();
        throw err;
      });
    if (metrics) handle.onExit(() => metrics.dispose());
    this.stream = handle;
    handle.on('counters', (c) => this.board.pushed('stream', c));
    handle.on('offsets', (o) => this.deps.onOffsets(o));
    await handle.api.start();
    return this.board.setState('stream', 'running');
  }

  /** Waits until the stream has consumed, written and committed everything in the log now. */
  async drainStream(): Promise<void> {
    if (!this.stream) throw new PulseError('stage_state', 'start the stream before draining it');
    const { config } = this.deps.services;
    const broker = await openBroker(config);
    try {
      await broker.ensureTopic(config.topic, config.partitions);
      const targets = await broker.endOffsets(config.topic);
      await this.stream.api.drainTo(targets);
      // Counters are pushed twice a second: after a drain, report the final ones now.
      this.board.setCounters('stream', await this.stream.api.counters());
    } finally {
      await broker.close();
    }
  }

  async stopStream(): Promise<StageStatus> {
    const handle = this.stream;
    if (!handle) return this.board.get('stream');
    this.board.setState('stream', 'stopping');
    await handle.api.stop().catch((err) => this.board.fail('stream', toErrorInfo(err)));
    const last = await handle.api.counters().catch(() => null);
    this.stream = null;
    await handle.terminate();
    if (last) this.board.setCounters('stream', last);
    return this.board.get('stream').state === 'failed'
      ? this.board.get('stream')
      : this.board.setState('stream', 'stopped');
  }

  /** One ETL run at a time; a second request while one runs gets the running one's result. */
  runEtl(): Promise<EtlResult> {
    this.etlRunning ??= this.etlRun()
      .catch((err: unknown) => {
        // A run that could not even begin (another holds the warehouse, its worker died) is shown too.
        if (this.board.get('etl').state !== 'failed') this.board.fail('etl', toErrorInfo(err));
        throw err;
      })
      .finally(() => (this.etlRunning = null));
    return this.etlRunning;
  }

  private async etlRun(): Promise<EtlResult> {
    this.board.setState('etl', 'running');
    // The lake's catalog history is written before the ETL reads it (a new data dir writes its first version).
    await this.deps.catalog().catch(() => undefined);
    if (!this.etl) {
      const warehousePort = this.deps.services.warehousePort();
      const etl = await this.board.spawn('etl', { role: 'etl', config: this.deps.services.config, warehousePort }, [
        warehousePort,
      ]);
      etl.on('progress', (p) => this.deps.emit('etl.progress', p));
      etl.onExit(() => {
        if (this.etl === etl) this.etl = null;
      });
      this.etl = etl;
    }
    const result = await this.etl.api.run();
    // The run ended on the ETL's own port to the warehouse: wait for the warehouse's 'writes' events
    // of it to reach this thread, so an editor query right after sees the load, not a run still open.
    await this.deps.services.warehouse.settled().catch(() => undefined);
    this.last = result;
    if (result.status === 'failed')
      this.board.fail(
        'etl',
        result.errorInfo ?? { code: 'internal', message: result.error ?? 'ETL failed', retriable: false },
      );
    else
      this.board.setState('etl', 'stopped', {
        files: result.files,
        rowsInserted: result.rowsInserted,
        rowsSkipped: result.rowsSkipped,
      });
    return result;
  }

  /** Waits for a running ETL and ends its worker: it holds a port to the warehouse worker being replaced. */
  async endEtl(): Promise<void> {
    await this.etlRunning?.catch(() => undefined);
    const etl = this.etl;
    this.etl = null;
    await etl?.terminate();
  }

  async close(): Promise<void> {
    await this.stopProducer();
    await this.stopStream();
    await this.endEtl();
  }
}
