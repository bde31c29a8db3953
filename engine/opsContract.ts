/**
 * Contract types of the operator views: data quality, ETL runs like an orchestrator shows them, and
 * alerts. Types only; engine/contract.ts re-exports them and names the commands and events.
 */
import type { EtlResult, ServiceKind } from './contract';

// ── Data quality ──

/** One validation rule of the stream: its stable reason code and what it checks. */
export interface ValidationRule {
  /** The reason code a record it refuses is quarantined with (engine/model/validate.ts). */
  code: string;
  title: string;
  description: string;
  /** What the rule looks at: the bytes, the shape, the catalog, business rules, time, the history. */
  group: 'parse' | 'schema' | 'catalog' | 'business' | 'time' | 'history';
}

/** Records that arrived (bronze) and were refused (quarantine, by the reason they got then) in one time bucket. */
export interface QualityBucket {
  /** Epoch ms, a multiple of the bucket size (arrival time: the broker's append time). */
  start: number;
  records: number;
  quarantined: number;
  byReason: Record<string, number>;
}

/** The stream's own counters over its last minute: what the lake does not hold yet. */
export interface LiveQuality {
  running: boolean;
  /** The span the figures cover (ms), up to a minute. */
  windowMs: number;
  consumed: number;
  quarantined: number;
  /** quarantined / consumed over the span; null when nothing was consumed. */
  rate: number | null;
}

export interface QualityStats {
  /** The range asked for, epoch ms, from inclusive, to exclusive. */
  from: number;
  to: number;
  bucketMs: number;
  buckets: QualityBucket[];
  totals: { records: number; quarantined: number; byReason: Record<string, number> };
  /** Of all time (every file of bronze and quarantine). */
  allTime: { records: number; quarantined: number; byReason: Record<string, number> };
  live: LiveQuality;
  /** Files read for this answer (the rest came from the cache: a file is read once). */
  filesRead: number;
  at: number;
}

/** One quarantined record as the stream wrote it, raw value in full. */
export interface QuarantineRecordView {
  partition: number;
  offset: number;
  brokerTime: string;
  transactionId: string | null;
  /** The reason it got on arrival. */
  reason: string;
  detail: string | null;
  /** The record's key as the producer sent it (a store id, import:<id>), null when it had none. */
  key: string | null;
  catalogVersion: string | null;
  /** The raw value, whole, as the log held it. */
  raw: string;
  bytes: number;
  /** The lake file it is in. */
  file: string;
}

// ── ETL runs ──

/** What started a run: the Run button (or etl.run), the schedule, Rerun, a quarantine replay, the CLI's pipeline; 'other' for a run this app did not start (another app on the same warehouse, or from before run logs). */
export type EtlTrigger = 'manual' | 'scheduled' | 'rerun' | 'replay' | 'pipeline' | 'other';

export interface EtlRunView {
  runId: string;
  trigger: EtlTrigger;
  /** The run a rerun repeated. */
  rerunOf: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** 'interrupted': the app stopped while it ran (the warehouse closes such a run as failed). */
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  files: number;
  rowsInserted: number;
  rowsSkipped: number;
  goldFiles: number | null;
  durationMs: number | null;
  error: string | null;
  /** A log is kept in this data dir (runs of other apps or from before logs have none). */
  hasLog: boolean;
}

export interface EtlLogLine {
  at: number;
  level: 'info' | 'error';
  message: string;
}

export interface EtlRunDetail {
  run: EtlRunView;
  log: EtlLogLine[];
  /** Silver files the run loaded and their lines (the warehouse's load manifest). */
  files: { key: string; rows: number }[];
}

export interface EtlScheduleView {
  /** Every N minutes from the time it was set (kept across restarts); null when the schedule is a cron or off. */
  everyMinutes: number | null;
  /** A cron expression (5 fields) in force; null when off or every N minutes. */
  cron: string | null;
  /** The zone a cron is read in (IANA). */
  timeZone: string | null;
  /** In words: "every 15 minutes", "at 02:30 every day". */
  description: string | null;
  nextRunAt: number | null;
  /** The last run the schedule started. */
  lastRunAt: number | null;
  /** The schedule file could not be read (and was kept aside): said here, the schedule is off. */
  problem: string | null;
}

// ── Alerts ──

export type AlertKind = 'lag' | 'quarantine_rate' | 'etl_failed' | 'freshness' | 'service_down';
export type FreshnessLayer = 'bronze' | 'silver' | 'warehouse';

interface RuleBase {
  id: string;
  name: string;
  enabled: boolean;
}
/** The stream's lag (records in the log it has not read) above `threshold` for `forSeconds`. */
export interface LagRule extends RuleBase {
  kind: 'lag';
  threshold: number;
  forSeconds: number;
}
/** Records quarantined (with `reason`, or any) above `threshold` (a share, 0.05 = 5%) of those that arrived in the last `windowMinutes`, once at least `minRecords` arrived. */
export interface QuarantineRateRule extends RuleBase {
  kind: 'quarantine_rate';
  threshold: number;
  windowMinutes: number;
  reason: string | null;
  minRecords: number;
}
/** An ETL run failed; resolved by the next run that succeeds. */
export interface EtlFailedRule extends RuleBase {
  kind: 'etl_failed';
}
/** The newest data of a layer landed more than `maxAgeMinutes` ago. */
export interface FreshnessRule extends RuleBase {
  kind: 'freshness';
  layer: FreshnessLayer;
  maxAgeMinutes: number;
}
/** A service (or any) does not answer for `forSeconds`. */
export interface ServiceDownRule extends RuleBase {
  kind: 'service_down';
  service: ServiceKind | null;
  forSeconds: number;
}
export type AlertRule = LagRule | QuarantineRateRule | EtlFailedRule | FreshnessRule | ServiceDownRule;

export interface AlertRuleState {
  ruleId: string;
  state: 'ok' | 'firing' | 'pending' | 'no_data' | 'disabled';
  /** The figure the rule looks at (records, a share, minutes), null without data. */
  value: number | null;
  /** In words: "quarantine 7.3% of 1,204 records in the last 5 min". */
  summary: string;
  /** Since when the state holds (epoch ms). */
  since: number;
  checkedAt: number;
}

export interface Alert {
  id: string;
  ruleId: string;
  kind: AlertKind;
  name: string;
  /** What it is about when a rule can fire for several things at once (the failed run's id), else null. */
  subject: string | null;
  message: string;
  value: number | null;
  firedAt: number;
  /** When the condition cleared; null while it holds. */
  resolvedAt: number | null;
  acknowledgedAt: number | null;
}

export interface AlertList {
  alerts: Alert[];
  unacknowledged: number;
  /** The alerts file could not be read (kept aside). */
  problem: string | null;
}

export interface AlertRulesView {
  rules: AlertRule[];
  states: AlertRuleState[];
  problem: string | null;
}

/** The operator views' commands (data quality, ETL runs like an orchestrator shows them, alerts): part of Commands. */
export interface OpsCommands {
  /** Read (no field), set (every N minutes, or a cron expression read in timeZone), or off (null). Kept in the data dir. */
  'etl.schedule': {
    req: { everyMinutes?: number | null; cron?: string | null; timeZone?: string };
    res: EtlScheduleView;
  };
  /** Every validation rule of the stream with its reason code. */
  'quality.rules': { req: Record<string, never>; res: ValidationRule[] };
  /** Records that arrived and were quarantined, by reason, per time bucket (arrival time, epoch ms), plus the stream's live counters. */
  'quality.stats': { req: { from?: number; to?: number; bucketMinutes?: number }; res: QualityStats };
  /** One quarantined record, its raw value in full. */
  'quarantine.record': { req: { partition: number; offset: number }; res: QuarantineRecordView };
  /** ETL runs, newest first: the warehouse's etl_runs with what started each and its log here. */
  'etl.runs': { req: { limit?: number }; res: EtlRunView[] };
  'etl.runLog': { req: { runId: string }; res: EtlRunDetail };
  /** Runs the ETL again (it loads what is not loaded yet: a failed run's files), recorded as a rerun of runId. */
  'etl.rerun': { req: { runId: string }; res: EtlResult };
  'alerts.list': { req: { limit?: number }; res: AlertList };
  /** Acknowledges one alert, or every one when id is absent. */
  'alerts.acknowledge': { req: { id?: string }; res: AlertList };
  'alerts.rules': { req: Record<string, never>; res: AlertRulesView };
  /** Adds a rule (no id) or replaces one; every field checked, the wrong one named. */
  'alerts.saveRule': { req: { rule: Partial<AlertRule> }; res: AlertRulesView };
  'alerts.deleteRule': { req: { id: string }; res: AlertRulesView };
  /** Evaluates every rule now. */
  'alerts.check': { req: Record<string, never>; res: AlertRulesView };
}

/** The operator views' events: part of Events. */
export interface OpsEvents {
  /** An ETL run started or finished (any trigger). */
  'etl.run': EtlRunView;
  /** A rule's condition began to hold: the desktop notification. */
  'alerts.fired': Alert;
  /** The alert list or the rules (and their states) changed: read that part again. */
  'alerts.changed': { part: 'alerts' | 'rules' };
}
