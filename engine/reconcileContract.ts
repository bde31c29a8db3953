/**
 * The contract's types for reconciliation (every layer side by side, differences explained),
 * lineage (a store's minute down to its silver rows and raw bronze records) and the Live page's
 * time range; engine/contract.ts re-exports them.
 */
import type { ErrorInfo } from './errors';
import type { MetricsSnapshot, WindowView } from './contract';

export type LayerName = 'log' | 'bronze' | 'silver' | 'quarantine' | 'warehouse' | 'windows';

/** One layer's figures, each read from durable state (windows: the metrics store), and where from. */
export interface LayerFigures {
  layer: LayerName;
  /** Records of the log, bronze and quarantine; sales (transactions) of silver and the windows. */
  records: number | null;
  lines: number | null;
  /** EGP. */
  revenue: number | null;
  files: number | null;
  /** Freshness: the newest event time (silver, warehouse, windows) or arrival time (bronze, quarantine), epoch ms. */
  newest: number | null;
  newestOf: 'event' | 'arrival' | null;
  /** Where the figures are read from, said beside them. */
  from: string;
  /** A few words more: "open 12, replayed 3". */
  note: string | null;
  /** The layer could not be read (its service is down): its figures are null. */
  error: ErrorInfo | null;
}

/** One partition of the topic as the log, the lake's checkpoint, bronze and the windows see it. */
export interface PartitionLedger {
  partition: number;
  /** The log's oldest kept offset and the offset the next record gets. */
  earliest: number;
  end: number;
  /** The lake's checkpoint: the first offset it does not hold (null when its markers cannot be read). */
  lake: number | null;
  /** Records bronze holds below the checkpoint's offset. */
  bronze: number;
  /** Offset ranges below the checkpoint's offset that bronze lacks (records: how many of them), and whether retention removed them. */
  holes: { from: number; to: number; records: number; retention: boolean }[];
  /** Records in files past the checkpoint: a flush writing now (or a crash's leftover the next start removes). */
  inFlight: number;
  /** Records in the log the lake has not read yet. */
  unread: number;
  /** The first and last offsets the windows counted of this partition (null: none). */
  windowsSince: number | null;
  windowsApplied: number | null;
  /** The checkpoint could not be resolved (its markers have a hole): what it said. */
  problem: string | null;
}

export type DifferenceKind =
  | 'not_yet_read'
  | 'retention'
  | 'replayed'
  | 'etl_backlog'
  | 'duplicate_lines'
  | 'windows_restarted'
  | 'replays_before_windows'
  | 'windows_ahead';

/** Part of a difference, with its amount (in the check's unit) and what it is. */
export interface Explanation {
  kind: DifferenceKind;
  amount: number;
  text: string;
}

export interface ReconcileCheck {
  id: 'log_bronze' | 'bronze_split' | 'silver_warehouse_lines' | 'silver_warehouse_revenue' | 'silver_windows';
  title: string;
  left: { label: string; value: number };
  right: { label: string; value: number };
  unit: 'records' | 'lines' | 'EGP';
  /** left − right. */
  difference: number;
  explained: Explanation[];
  /** What no explanation covers: 0 (±0.01 EGP) when the check holds. */
  unexplained: number;
  state: 'ok' | 'explained' | 'unexplained' | 'unavailable';
  /** Why it is unavailable, or what the unexplained part may be. */
  note: string | null;
}

/** reconcile.report: produced, bronze, silver, quarantine, warehouse and windows side by side. */
export interface ReconciliationReport {
  at: number;
  tookMs: number;
  topic: string;
  layers: LayerFigures[];
  partitions: PartitionLedger[];
  /** Silver files the warehouse's manifest does not list yet: what the next ETL run loads (null: the warehouse did not answer). */
  backlog: { files: number; lines: number; revenue: number; etlRunning: boolean; from: string } | null;
  checks: ReconcileCheck[];
  streamRunning: boolean;
}

export interface LineageLine {
  lineNo: number;
  productId: number;
  productName: string;
  category: string;
  quantity: number;
  unitPrice: number;
  amount: number;
}

/** One sale of a store's minute in silver, and the raw record it came from in bronze. */
export interface LineageSale {
  transactionId: string;
  eventTime: number;
  customerId: string;
  total: number;
  lines: LineageLine[];
  /** The silver file that holds its lines (a lake key). */
  silverFile: string;
  /** The stream accepted it, a quarantine replay did, or it came from an imported file (bronze key import:<id>). */
  origin: 'stream' | 'replay' | 'import';
  ingestedAt: number;
  /** Where it sits in the topic. */
  partition: number;
  offset: number;
  /** The raw record in bronze; null when bronze no longer holds it. */
  bronze: { brokerTime: number; key: string | null; value: string; file: string } | null;
}

/** lineage.minute: a store's sales in one minute of event time, from silver down to bronze. */
export interface Lineage {
  storeId: number;
  storeName: string | null;
  /** The minute's start, epoch ms. */
  minute: number;
  /** Every sale silver holds for the store in that minute. */
  silver: { sales: number; lines: number; revenue: number; files: number };
  /** What the live windows counted for it (null: they hold no window for that minute). */
  window: { transactions: number; revenue: number } | null;
  /** The first sales (by event time), at most the limit asked for. */
  sales: LineageSale[];
  more: boolean;
  /** Differences between the window and silver, explained. */
  notes: string[];
  tookMs: number;
}

/** metrics.range: a time range of minutes, from the windows and, where they hold nothing, from silver. */
export interface MetricsRange {
  minutes: number;
  from: number;
  to: number;
  at: number;
  /**
   * Oldest first, minutes with sales only. With a store filter, byStore, transactions and revenue are
   * those stores'; lines, byCategory and byProduct stay all stores' (see breakdown).
   */
  windows: WindowView[];
  /** Which minutes come from where. */
  sources: { from: number; to: number; source: 'windows' | 'silver' }[];
  /** The stores filtered to, or null for all. */
  stores: number[] | null;
  /**
   * With a store filter: revenue by category and by product of those stores over the range, from
   * silver (the windows keep categories and products for all stores together).
   */
  breakdown: { byCategory: Record<string, number>; byProduct: WindowView['byProduct'] } | null;
  /** Something about the sources a user should know (the metrics store did not answer). */
  note: string | null;
  names: MetricsSnapshot['names'];
}
