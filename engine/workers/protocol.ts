/**
 * The worker protocol, typed once: for each role of an engine worker thread, what it is started
 * with (beside the config), the calls it serves and the events it pushes. The Host (WorkerHandle)
 * and the threads (worker.ts and the role modules) both read their types from here, so a call or
 * an event cannot mean one thing on one side and another on the other.
 *
 * A new role: an entry here, a starter in stageRoles.ts or serviceRoles.ts (or a module beside them)
 * listed in worker.ts's STARTERS, and a LazyWorker or StageBoard slot in the Host that starts it.
 */
import type { ReconcileLakeApi } from '../reconcile/reconcileLakeApi';
import type { CompactOptions } from '../compaction/compactor';
import type { CompactionProgress, CompactionResult } from '../compactionContract';
import type { MessagePort } from 'node:worker_threads';
import type { EngineConfig } from '../config';
import type {
  EtlProgress,
  EtlResult,
  ImportProgress,
  ImportSummary,
  LakeCounts,
  LakeOffsets,
  QuarantineListing,
  QuarantineQuery,
  QueryResult,
  SalesFileFormat,
} from '../contract';
import type { ErrorInfo } from '../errors';
import type { Catalog } from '../model/catalog';
import type { DurableCounts } from '../pipeline/summary';
import type { Replayed } from '../quarantine/quarantineCommands';
import type { QualityWorkerApi } from '../quality/qualityScanner';
import type { EditorQueries } from '../services/warehouse/editorQueries';
import type { WriteState } from '../services/warehouse/pgliteQueries';
import type { WarehouseCalls } from '../services/warehouse/port';
import type { ProducerCounters, ProducerOptions } from '../stages/producer/producerStage';
import type { StreamCounters, StreamOptions } from '../stages/stream/streamStage';
import type { TopicSearchResult } from '../topicsContract';

/** The stream worker's options: the stage's (defaults fill the rest) and the catalog in force. */
export type StreamWorkerOptions = Partial<StreamOptions> & { catalog: Catalog };

/** What the warehouse worker serves: the warehouse, the editor's cancellable queries, PGlite's snapshots. */
export interface WarehouseWorkerApi extends WarehouseCalls, Omit<EditorQueries, 'close'> {
  /** PGlite only: copies the warehouse to `into` for the editor's reader (pgliteQueries.ts). */
  snapshot(into: string): Promise<WriteState>;
  /** Serves the warehouse on another port, for another worker (the ETL's). */
  attach(port: MessagePort): void;
  /**
   * Answers at once: its reply comes after every event this worker sent before it (one port, in
   * order), so a caller that awaits it has every 'writes' event of a run that ended on another port.
   */
  settled(): Promise<void>;
}

export interface WorkerRoles {
  producer: {
    init: { options: ProducerOptions };
    api: {
      start(): Promise<void>;
      stop(): Promise<void>;
      setRate(rate: number): void;
      setFaults(f: ProducerOptions['faults']): void;
      setCatalog(c: Catalog): void;
      counters(): ProducerCounters;
    };
    /** finished: the limit was reached (the last counters). */
    events: { counters: ProducerCounters; finished: ProducerCounters };
  };
  stream: {
    /** metricsPort: the Host's embedded metrics store; absent, the worker opens the external one. */
    init: { options: StreamWorkerOptions; metricsPort?: MessagePort };
    api: {
      start(): Promise<void>;
      stop(): Promise<void>;
      drainTo(targets: number[]): Promise<void>;
      counters(): StreamCounters;
      setCatalog(c: Catalog): void;
      /** A replay while the stream runs goes through its id index. */
      replay(filter: QuarantineQuery): Promise<Replayed>;
    };
    events: { counters: StreamCounters; offsets: LakeOffsets };
  };
  etl: {
    /** A port to the warehouse worker (its attach()). */
    init: { warehousePort: MessagePort };
    api: { run(): Promise<EtlResult> };
    events: { progress: EtlProgress };
  };
  warehouse: {
    /** sql/init.sql, applied when the warehouse opens. */
    init: { initSqlPath: string };
    api: WarehouseWorkerApi;
    /** writes: PGlite's write count and whether a load runs, for the editor's snapshots. */
    events: { writes: WriteState };
  };
  'warehouse-reader': {
    init: { snapshotDir: string };
    api: { query(sql: string, params: unknown[]): Promise<QueryResult> };
    events: NoEvents;
  };
  lake: {
    init: NoInit;
    /** The lake browser's SQL and counts, and reconciliation's reads (reconcileLakeApi). */
    api: ReconcileLakeApi & {
      query(sql: string, limit?: number): Promise<QueryResult>;
      quarantine(limit?: number): Promise<QueryResult>;
      counts(): Promise<LakeCounts>;
    };
    events: NoEvents;
  };
  quarantine: {
    init: NoInit;
    api: {
      list(filter: QuarantineQuery, limit?: number): Promise<QuarantineListing>;
      replay(filter: QuarantineQuery, catalog: Catalog): Promise<Replayed>;
    };
    events: NoEvents;
  };
  importer: {
    init: NoInit;
    api: {
      begin(name: string, bytes: number, format?: SalesFileFormat): Promise<{ importId: string }>;
      chunk(text: string, bytes: number): Promise<ImportProgress>;
      end(): Promise<ImportSummary>;
      cancel(): Promise<ImportSummary>;
    };
    events: { progress: ImportProgress };
  };
  /** Compaction of the lake's small files (compaction/compactionWorker.ts): a DuckDB of its own, the manifest through a port. */
  compaction: {
    /** A port to the warehouse worker (its attach()): which silver files the ETL has loaded. */
    init: { warehousePort: MessagePort };
    api: { run(opts: CompactOptions): Promise<CompactionResult> };
    events: { progress: CompactionProgress };
  };
  /** pipeline.summary's replay of the log and DuckDB over the lake, off the Host's thread. */
  summary: {
    init: NoInit;
    api: { count(): Promise<DurableCounts> };
    events: NoEvents;
  };
  /** Data quality: arrivals and refusals per minute from the lake, a quarantined record in full. */
  quality: {
    init: NoInit;
    api: QualityWorkerApi;
    events: NoEvents;
  };
  /** The Topics page's search by transaction id: DuckDB over the lake and a scan of the log past it. */
  topics: {
    init: NoInit;
    api: { search(transactionId: string): Promise<TopicSearchResult> };
    events: NoEvents;
  };
}

type NoInit = Record<never, never>;
type NoEvents = Record<never, never>;

export type WorkerRole = keyof WorkerRoles;

/** What every thread may push: ready once started, fatal when it could not start, error as it goes on. */
export interface CommonEvents {
  ready: null;
  fatal: ErrorInfo;
  error: ErrorInfo;
}

export type WorkerApi<R extends WorkerRole> = WorkerRoles[R]['api'];
export type WorkerEvents<R extends WorkerRole> = WorkerRoles[R]['events'] & CommonEvents;
/** A thread's workerData: its role, the config in force, and the role's own start values. */
export type WorkerInit<R extends WorkerRole> = { role: R; config: EngineConfig } & WorkerRoles[R]['init'];

/** Pushes one of a role's events from its thread. */
export type Emit<R extends WorkerRole> = <K extends keyof WorkerEvents<R> & string>(
  name: K,
  payload: WorkerEvents<R>[K],
) => void;

/** Opens what a role needs in its thread and returns the API it serves. */
export type RoleStarter<R extends WorkerRole> = (init: WorkerInit<R>, emit: Emit<R>) => Promise<WorkerApi<R>>;
