/**
 * The one contract between the engine's Host and any UI (Electron window, web mode, CLI, tests).
 * Types only: the renderer imports it with `import type` and never pulls engine code.
 * Calls take one request object and resolve to a response; events are pushed by the Host.
 */
import type { ErrorInfo } from './errors';

export type { ErrorInfo };

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

export interface MetricsSnapshot {
  windows: WindowView[];
  transactions: number;
  revenue: number;
  lateRecords: number;
  latencyMs: { p50: number | null; p99: number | null };
  at: number;
}

/** Every count from durable state: the log, the lake files, the warehouse tables (windows: the metrics store). */
export interface PipelineSummary {
  produced: { records: number; valid_transactions: number; valid_lines: number; valid_revenue: number };
  bronze: { records: number; files: number };
  quarantine: { records: number; by_reason: Record<string, number> };
  silver: { lines: number; distinct_lines: number; revenue: number; files: number };
  warehouse: { fact_rows: number; revenue: number };
  windows: { revenue: number; late_records: number; late_revenue: number };
  throughput_tps: number;
  latency_ms: { p50: number | null; p99: number | null };
  etl: EtlResult | null;
}

export interface Commands {
  'stage.start': { req: { stage: 'producer'; settings?: Partial<ProducerSettings> } | { stage: 'stream' }; res: StageStatus };
  'stage.stop': { req: { stage: 'producer' | 'stream' }; res: StageStatus };
  'stage.list': { req: Record<string, never>; res: StageStatus[] };
  'producer.configure': { req: { rate?: number; faults?: Partial<FaultRates> }; res: ProducerSettings };
  'etl.run': { req: Record<string, never>; res: EtlResult };
  'etl.history': { req: { limit?: number }; res: EtlRunRecord[] };
  'metrics.snapshot': { req: { minutes?: number }; res: MetricsSnapshot };
  'warehouse.query': { req: { sql: string; params?: unknown[] }; res: QueryResult };
  'pipeline.summary': { req: Record<string, never>; res: PipelineSummary };
}

export interface Events {
  'stage.status': StageStatus;
  'etl.progress': EtlProgress;
  'metrics.tick': MetricsSnapshot;
  'host.error': { source: string; error: ErrorInfo };
}

export type CommandName = keyof Commands;
export type EventName = keyof Events;

/** What a Host offers any front end; implemented in-process, over IPC, or over a WebSocket. */
export interface HostApi {
  call<K extends CommandName>(name: K, req: Commands[K]['req']): Promise<Commands[K]['res']>;
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
}
