/**
 * The one contract between the engine's Host and any UI (Electron window, web mode, CLI, tests).
 * Types only: the renderer imports it with `import type` and never pulls engine code.
 * Calls take one request object and resolve to a response; events are pushed by the Host.
 */
import type { ErrorCode, ErrorInfo } from './errors';
import type {
  CatalogPreview,
  CatalogVersionInfo,
  CatalogView,
  ImportProgress,
  ImportSummary,
  QuarantineListing,
  QuarantineQuery,
  ReplayResult,
  SalesFileFormat,
  TextFile,
} from './dataContract';
import type { OpsCommands, OpsEvents } from './opsContract';
import type { CompactionCommands, CompactionEvents } from './compactionContract';
import type { Lineage, MetricsRange, ReconciliationReport } from './reconcileContract';

import type {
  DockerBackedService,
  InfraLogLine,
  InfraProgress,
  InfraServiceStats,
  InfraStatus,
  ServiceModes,
} from './infraContract';
import type {
  PinnedChart,
  SavedQuery,
  SqlHistoryEntry,
  SqlLabList,
  SqlLabPart,
  WarehouseSchema,
} from './sqlLabContract';
import type { LakeCounts, LakeListing, LakeOffsets, LakePreview } from './lakeContract';
import type { TopicsCommands, TopicsEvents } from './topicsContract';

export type { ErrorCode, ErrorInfo };
/** The wire format (reply envelope, IPC channels, web-mode frames, the preload's HostBridge), in wireContract.ts. */
export type * from './wireContract';
/** Reference data, quarantine replay and imports: their types live beside, in dataContract.ts. */
export type * from './dataContract';
/** Data quality, ETL runs and alerts (the operator views): in opsContract.ts. */
export type * from './opsContract';
/** Reconciliation, lineage and the Live page's time range: their types live in reconcileContract.ts. */
export type * from './reconcileContract';
/** The compose stack's types (Infrastructure page), in infraContract.ts. */
export type * from './infraContract';
/** The SQL lab's and the Dashboard's types, in sqlLabContract.ts. */
export type * from './sqlLabContract';
/** The lake's offsets, listings and counts, in lakeContract.ts. */
export type * from './lakeContract';
/** The Topics page (topic browser, search, tail, lag): its types live beside, in topicsContract.ts. */
export type * from './topicsContract';
/** Compaction of the lake's small files (runs, progress, the schedule), in compactionContract.ts. */
export type * from './compactionContract';

export type StageName = 'producer' | 'stream' | 'etl';
export type StageState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

export interface StageStatus {
  stage: StageName;
  state: StageState;
  counters: Record<string, number>;
  error: ErrorInfo | null;
  updatedAt: number;
}

/** Probabilities, per generated transaction, of each kind of bad input a real feed has. */
export interface FaultRates {
  /** Broken JSON (truncated, garbage). */
  malformed: number;
  /** Valid JSON that breaks the schema or a business rule. */
  invalid: number;
  /** Event time minutes in the past, as from a till that was offline. */
  late: number;
  /** The same transaction sent again, as a till retrying. */
  duplicate: number;
}

export interface ProducerSettings {
  /** Target transactions per second. */
  rate: number;
  seed: number;
  faults: FaultRates;
  /** Stop after this many transactions (re-sent duplicates not counted); runs until stopped when absent. */
  limit?: number;
}

export interface EtlProgress {
  runId: string;
  phase: 'planning' | 'loading' | 'gold' | 'done';
  filesDone: number;
  filesTotal: number;
  rowsDone: number;
  rowsTotal: number;
}

export interface EtlResult {
  runId: string;
  status: 'succeeded' | 'failed';
  files: number;
  rowsInserted: number;
  rowsSkipped: number;
  goldFiles: number;
  durationMs: number;
  error?: string;
  /** A failed run's error with its code: where it failed (lake_io, warehouse_failed, etl_busy…), not always the warehouse. */
  errorInfo?: ErrorInfo;
}

export interface EtlRunRecord {
  run_id: string;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'succeeded' | 'failed';
  files_loaded: number;
  rows_inserted: number;
  rows_skipped: number;
  error: string | null;
}

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  /** warehouse.query pages: rows after this page exist (fetch them with a larger offset). */
  more?: boolean;
  /** warehouse.query pages: the offset of the first row here. */
  offset?: number;
}

/** Additive contribution of some records to one 1-minute window. Money in cents, so sums are exact. */
export interface WindowDelta {
  /** Window start, epoch ms, a multiple of 60 000. */
  start: number;
  transactions: number;
  lines: number;
  revenueCents: number;
  byStore: Record<string, { transactions: number; revenueCents: number }>;
  byCategory: Record<string, number>;
  byProduct: Record<string, { quantity: number; revenueCents: number }>;
}

export interface WindowView extends WindowDelta {
  end: number;
}

/** Figures over the interval between two Host ticks (about a second), not since the start. */
export interface MetricsInterval {
  ms: number;
  transactions: number;
  lateRecords: number;
  latencyMs: { p50: number | null; p99: number | null };
}

export interface MetricsSnapshot {
  windows: WindowView[];
  /** The last tick's interval; null until two ticks were taken (or the store was reset). */
  interval?: MetricsInterval | null;
  transactions: number;
  revenue: number;
  lateRecords: number;
  /**
   * Event-to-window latency: from each record's arrival in the broker (its log or Kafka record
   * timestamp) to its window's publication, so a replayed backlog does not count its age. How far
   * event time trails the clock is the stream's `eventLagMs` counter (stage status), apart.
   */
  latencyMs: { p50: number | null; p99: number | null };
  at: number;
  /** Display names of the store and product ids the windows are keyed by. */
  names: { stores: Record<string, string>; products: Record<string, string> };
}

/** Every count from durable state: the log, the lake files, the warehouse tables (windows: the metrics store). */
export interface PipelineSummary {
  produced: { records: number; valid_transactions: number; valid_lines: number; valid_revenue: number };
  bronze: { records: number; files: number };
  /** records = open + replayed: each quarantined record is still open (by_reason: its latest reason) or a replay moved it to silver. */
  quarantine: { records: number; open: number; replayed: number; by_reason: Record<string, number> };
  /** transactions: distinct source records (partition, offset), from the stream or a replay. */
  silver: { transactions: number; lines: number; distinct_lines: number; revenue: number; files: number };
  warehouse: { fact_rows: number; revenue: number };
  windows: { revenue: number; late_records: number; late_revenue: number };
  throughput_tps: number;
  latency_ms: { p50: number | null; p99: number | null };
  etl: EtlResult | null;
}

/** A chart of a result: a preset declares it in its header (`-- chart: bar x=product_name y=revenue`). */
export interface ChartSpec {
  type: 'bar' | 'line';
  /** The category (or time) column. */
  x: string;
  /** The value columns, one series each. */
  y: string[];
  /** A column whose values split y into one (stacked) series per value. */
  series?: string;
}

export interface QueryPreset {
  id: string;
  title: string;
  sql: string;
  chart?: ChartSpec;
  /** Columns that hold money (EGP), from the header's `-- money: a, b`. */
  money?: string[];
}

/** Settings the Settings page edits; kept in settings.json in the data dir (a config file). */
export type SettingKey =
  | 'kafka'
  | 'topic'
  | 'partitions'
  | 'group'
  | 's3'
  | 's3Bucket'
  | 's3Region'
  | 's3AccessKeyId'
  | 's3SecretAccessKey'
  | 'postgres'
  | 'postgresReaderPassword'
  | 'redis'
  | 'redisPrefix';
export type ServiceKind = 'broker' | 'lake' | 'warehouse' | 'metrics';

export interface SettingsView {
  /** Saved values, secrets masked ('***' in place of passwords and secret keys); absent means embedded/default. */
  values: Partial<Record<SettingKey, string | number>>;
  /** Modes of the services in force in this process. */
  modes: Record<ServiceKind, 'embedded' | 'docker' | 'external'>;
  /** What each service is, safe to show (no secrets). */
  inForce: Record<string, string>;
  /** The saved settings differ from those in force: they apply at the next start. */
  restartRequired: boolean;
  file: string;
  /** Saved settings that could not be used at this start (each named by field); the defaults stood in. */
  startupProblems?: ErrorInfo[];
}

/** Whether a service answers: checked at start, by services.status { recheck }, and as the stages use it. */
export interface ServiceHealth {
  service: ServiceKind;
  mode: 'embedded' | 'docker' | 'external';
  /** What it is, safe to show (no secrets): "redis redis://127.0.0.1:6379". */
  target: string;
  state: 'ok' | 'failed' | 'checking';
  error: ErrorInfo | null;
  /** The settings that choose this service: where the user fixes it. */
  settings: SettingKey[];
  checkedAt: number;
}

/** settings.test: one service tried with given settings, nothing saved. */
export interface ConnectionTest {
  service: ServiceKind;
  ok: boolean;
  target: string;
  ms: number;
  error: ErrorInfo | null;
}

/** Each area's commands beside its types (Topics, Compaction, Ops: data quality, ETL runs, alerts) join these. */
export interface Commands extends TopicsCommands, CompactionCommands, OpsCommands {
  'stage.start': {
    req: { stage: 'producer'; settings?: Partial<ProducerSettings> } | { stage: 'stream' };
    res: StageStatus;
  };
  'stage.stop': { req: { stage: 'producer' | 'stream' }; res: StageStatus };
  'stage.list': { req: Record<string, never>; res: StageStatus[] };
  'producer.configure': { req: { rate?: number; faults?: Partial<FaultRates> }; res: ProducerSettings };
  'etl.run': { req: Record<string, never>; res: EtlResult };
  'etl.history': { req: { limit?: number }; res: EtlRunRecord[] };
  'metrics.snapshot': { req: { minutes?: number }; res: MetricsSnapshot };
  'warehouse.query': {
    req: {
      sql: string;
      params?: unknown[];
      /** Lets warehouse.cancel name this query. */
      queryId?: string;
      /** A page of a SELECT: at most `limit` rows (default 1,000, at most 10,000) from `offset`. */
      limit?: number;
      offset?: number;
      /** A run of the SQL lab's editor: its first page is kept in the lab's history with its outcome. */
      history?: boolean;
    };
    res: QueryResult;
  };
  'pipeline.summary': { req: Record<string, never>; res: PipelineSummary };
  /** The lake's id, the consumer group, and where the stream's partitions started (the lake's offsets). */
  'stream.offsets': { req: Record<string, never>; res: LakeOffsets };
  'infra.status': { req: Record<string, never>; res: InfraStatus };
  /** Pulls, creates and starts the service (and what it depends on) or the whole stack, and waits for health. */
  'infra.up': { req: { service?: string }; res: InfraStatus };
  'infra.down': { req: { volumes?: boolean }; res: InfraStatus };
  'infra.start': { req: { service?: string }; res: InfraStatus };
  'infra.stop': { req: { service?: string }; res: InfraStatus };
  'infra.restart': { req: { service?: string }; res: InfraStatus };
  /** The last lines; follow: true then pushes new ones as infra.log until follow: false. */
  'infra.logs': {
    req: { service: string; tail?: number; since?: number; follow?: boolean };
    res: { lines: InfraLogLine[] };
  };
  /** Stages stopped and the stack healthy: these services (all four when absent) use the compose stack. */
  'infra.useDocker': { req: { services?: DockerBackedService[] }; res: ServiceModes };
  'infra.useEmbedded': { req: { services?: DockerBackedService[] }; res: ServiceModes };
  // --- UI: lake browser, warehouse presets and cancel, ETL schedule, settings ---
  'lake.list': { req: { prefix: string }; res: LakeListing };
  'lake.preview': { req: { key: string; limit?: number }; res: LakePreview };
  'lake.quarantine': { req: { limit?: number }; res: QueryResult };
  'lake.query': { req: { sql: string; limit?: number }; res: QueryResult };
  'warehouse.presets': { req: Record<string, never>; res: QueryPreset[] };
  'warehouse.cancel': { req: { queryId: string }; res: { cancelled: boolean } };
  'settings.get': { req: Record<string, never>; res: SettingsView };
  'settings.set': { req: { values: Partial<Record<SettingKey, string | number | null>> }; res: SettingsView };
  // --- UI: the state in force, service health, durable counts ---
  /** The producer's rate and fault rates in force (kept while it is stopped, used by the next start). */
  'producer.settings': { req: Record<string, never>; res: ProducerSettings };
  /** Each service's health; recheck: true tries every service again (and reconnects a failed metrics store). */
  'services.status': { req: { recheck?: boolean }; res: ServiceHealth[] };
  /** Tries one service with the saved settings overlaid by `values`, without saving anything. */
  'settings.test': {
    req: { service: ServiceKind; values?: Partial<Record<SettingKey, string | number | null>> };
    res: ConnectionTest;
  };
  'lake.counts': { req: Record<string, never>; res: LakeCounts };
  // --- Reference data: the catalog in force, checked before it applies ---
  'catalog.get': { req: Record<string, never>; res: CatalogView };
  'catalog.preview': { req: { files: TextFile[] }; res: CatalogPreview };
  /** Applies to the running stream and producer at once; refused (nothing changes) with every problem named. */
  'catalog.apply': { req: { files: TextFile[] }; res: CatalogView };
  // --- Quarantine: list, and replay with today's rules and catalog ---
  'quarantine.list': { req: QuarantineQuery & { limit?: number }; res: QuarantineListing };
  /** Open records matching the query are validated again; the now-valid go to silver, then the warehouse (an ETL run). */
  'quarantine.replay': { req: QuarantineQuery; res: ReplayResult };
  // --- Import of sales files into the topic: the UI sends a file's text in pieces ---
  /** Starts importing one file; format from the name or the first piece when absent. */
  'import.begin': { req: { name: string; bytes: number; format?: SalesFileFormat }; res: { importId: string } };
  /** The next piece of the file's text; `bytes` is its size in the file, for progress. */
  'import.chunk': { req: { importId: string; text: string; bytes: number }; res: ImportProgress };
  'import.end': { req: { importId: string }; res: ImportSummary };
  'import.cancel': { req: { importId: string }; res: ImportSummary };
  // --- SQL lab and Dashboard: the reader's schema, history, saved queries, pinned charts (kept in the data dir) ---
  'warehouse.schema': { req: Record<string, never>; res: WarehouseSchema };
  'sqlLab.history': { req: { limit?: number }; res: SqlLabList<SqlHistoryEntry> };
  /** Removes one history entry, or every one when id is absent. */
  'sqlLab.forget': { req: { id?: string }; res: SqlLabList<SqlHistoryEntry> };
  'sqlLab.saved': { req: Record<string, never>; res: SqlLabList<SavedQuery> };
  'sqlLab.save': { req: { name: string; sql: string }; res: SqlLabList<SavedQuery> };
  'sqlLab.delete': { req: { id: string }; res: SqlLabList<SavedQuery> };
  'dashboard.pins': { req: Record<string, never>; res: SqlLabList<PinnedChart> };
  /** Runs the query once (its chart's columns must be in the result), then keeps it on the Dashboard. */
  'dashboard.pin': {
    req: { title: string; sql: string; chart: ChartSpec; money?: string[]; refreshSeconds: number };
    res: SqlLabList<PinnedChart>;
  };
  'dashboard.update': { req: { id: string; title?: string; refreshSeconds?: number }; res: SqlLabList<PinnedChart> };
  'dashboard.unpin': { req: { id: string }; res: SqlLabList<PinnedChart> };
  // --- Reconciliation and lineage, the Live page's time range ---
  /** Every layer side by side from durable state (footers, checkpoint markers, the manifest), differences explained. */
  'reconcile.report': { req: Record<string, never>; res: ReconciliationReport };
  /** A store's sales in one minute of event time: silver rows and their raw bronze records. */
  'lineage.minute': { req: { storeId: number; minute: number; limit?: number }; res: Lineage };
  /** The last `minutes` (15 to 1,440) of windows, from silver where the windows hold nothing; optionally some stores. */
  'metrics.range': { req: { minutes: number; stores?: number[] }; res: MetricsRange };
}

export interface Events extends TopicsEvents, CompactionEvents, OpsEvents {
  'stage.status': StageStatus;
  'etl.progress': EtlProgress;
  'metrics.tick': MetricsSnapshot;
  'host.error': { source: string; error: ErrorInfo };
  /** At each start or rebalance of the stream: where its partitions start, and anything a user should know. */
  'stream.offsets': LakeOffsets;
  'infra.progress': InfraProgress;
  /** Followed log lines, batched (at most one event per 100 ms). */
  'infra.log': { lines: InfraLogLine[] };
  /** CPU and memory of the running containers, every 2 s while someone listens. */
  'infra.stats': { at: number; services: InfraServiceStats[] };
  'producer.settings': ProducerSettings;
  'services.status': ServiceHealth[];
  /** A new catalog version came into force. */
  'catalog.changed': CatalogVersionInfo;
  /** An import's progress, at most four times a second. */
  'import.progress': ImportProgress;
  /** The SQL lab's history, saved queries or the Dashboard's pins changed (by any window): read that part again. */
  'sqlLab.changed': { part: SqlLabPart };
}

export type CommandName = keyof Commands;
export type EventName = keyof Events;

/** What a Host offers any front end; implemented in-process, over IPC, or over a WebSocket. */
export interface HostApi {
  call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']>;
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
}
