import { randomUUID } from 'node:crypto';
import type {
  Commands,
  EtlProgress,
  EtlResult,
  EtlRunRecord,
  EtlRunView,
  EtlTrigger,
  EventName,
  Events,
  StageStatus,
} from '../contract';
import { PulseError, toErrorInfo } from '../errors';
import type { Warehouse } from '../services/warehouse/port';
import { EtlScheduler, REAL_CLOCK, scheduleFile, type Clock } from './etlSchedule';
import { checkRunId, RunLog, runLogDir, type RunRecord } from './runLog';

export type EtlRunsCommand = 'etl.run' | 'etl.rerun' | 'etl.runs' | 'etl.runLog' | 'etl.schedule';

export interface EtlRunsDeps {
  dataDir: string;
  /** The Host's one ETL path (one run at a time). */
  runEtl: () => Promise<EtlResult>;
  warehouse: () => Pick<Warehouse, 'runs' | 'runFiles'>;
  on: <K extends EventName>(name: K, listener: (payload: Events[K]) => void) => () => void;
  emit: (run: EtlRunView) => void;
  clock?: Clock;
}

const STARTED_BY: Record<EtlTrigger, string> = {
  manual: 'started by hand',
  scheduled: 'started by the schedule',
  rerun: 'a rerun',
  replay: 'started by a quarantine replay',
  pipeline: 'started by the pipeline command',
  other: 'started by another caller',
};

const count = (n: number): string => n.toLocaleString('en-US');

/** A timestamptz as PostgreSQL prints it ('2026-11-29 07:36:05.14+00') in epoch ms. */
export function pgTime(s: string | null): number | null {
  if (!s) return null;
  const iso = s.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * ETL runs as an orchestrator shows them: each run's trigger and log (kept in the data dir, see
 * runLog.ts) beside the warehouse's etl_runs, the files it loaded, reruns, and the schedule that
 * survives a restart. Every run is seen through the Host's events, whoever started it; the ones
 * started here carry their trigger.
 */
export class EtlRuns {
  private readonly log: RunLog;
  private readonly scheduler: EtlScheduler;
  private readonly clock: Clock;
  private current: { record: RunRecord; mine: boolean; phase: EtlProgress['phase'] } | null = null;
  private pending: { trigger: EtlTrigger; rerunOf: string | null } | null = null;
  private inflight: Promise<EtlResult> | null = null;
  private readonly offs: (() => void)[];

  constructor(private readonly deps: EtlRunsDeps) {
    this.clock = deps.clock ?? REAL_CLOCK;
    this.log = new RunLog(runLogDir(deps.dataDir));
    this.closeInterrupted();
    this.offs = [deps.on('etl.progress', (p) => this.progress(p)), deps.on('stage.status', (s) => this.stageStatus(s))];
    this.scheduler = new EtlScheduler(scheduleFile(deps.dataDir), () => this.run('scheduled'), this.clock);
  }

  handlers(): { [C in EtlRunsCommand]: (req: Commands[C]['req']) => Promise<Commands[C]['res']> } {
    return {
      'etl.run': () => this.run('manual'),
      'etl.rerun': async (q) => {
        const id = checkRunId(q.runId);
        if (!this.log.read(id) && !(await this.deps.warehouse().runs(1000)).some((r) => r.run_id === id))
          throw new PulseError('not_found', `there is no ETL run ${id}`, { field: 'runId' });
        return this.run('rerun', id);
      },
      'etl.runs': (q) => this.runs(Math.min(Math.max(1, Math.floor(q.limit ?? 50)), 1000)),
      'etl.runLog': (q) => this.detail(checkRunId(q.runId)),
      'etl.schedule': async (q) =>
        q.everyMinutes === undefined && q.cron === undefined ? this.scheduler.view() : this.scheduler.set(q),
    };
  }

  /** Runs the ETL, recorded with its trigger; while a run is going, its result is the answer. */
  run(trigger: EtlTrigger, rerunOf: string | null = null): Promise<EtlResult> {
    if (this.inflight) return this.inflight;
    this.pending = { trigger, rerunOf };
    const run = this.deps.runEtl().then(
      (result) => {
        this.finish(result.runId, result);
        return result;
      },
      (err: unknown) => {
        this.refused(trigger, rerunOf, err);
        throw err;
      },
    );
    this.inflight = run.finally(() => {
      this.inflight = null;
      this.pending = null;
    });
    return this.inflight;
  }

  async runs(limit: number): Promise<EtlRunView[]> {
    const [rows, logs] = [await this.deps.warehouse().runs(limit), this.log.newest(limit)];
    const byId = new Map<string, EtlRunView>();
    for (const r of rows) byId.set(r.run_id, fromWarehouse(r));
    for (const l of logs) byId.set(l.runId, merge(l, byId.get(l.runId)));
    return [...byId.values()].sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
  }

  async detail(runId: string): Promise<Commands['etl.runLog']['res']> {
    const w = this.deps.warehouse();
    const [row, files] = [(await w.runs(1000)).find((r) => r.run_id === runId), await w.runFiles(runId, 1000)];
    const log = this.log.read(runId);
    if (!log && !row) throw new PulseError('not_found', `there is no ETL run ${runId}`, { field: 'runId' });
    const run = log ? merge(log, row && fromWarehouse(row)) : fromWarehouse(row!);
    return { run, log: log?.log ?? [], files };
  }

  close(): void {
    this.scheduler.close();
    this.offs.forEach((off) => off());
  }

  private line(r: RunRecord, message: string, level: 'info' | 'error' = 'info'): void {
    r.log.push({ at: this.clock.now(), level, message });
  }

  private progress(p: EtlProgress): void {
    if (this.current?.record.runId !== p.runId) {
      const pend = this.pending;
      this.pending = null;
      const record: RunRecord = {
        runId: p.runId,
        trigger: pend?.trigger ?? 'other',
        rerunOf: pend?.rerunOf ?? null,
        startedAt: this.clock.now(),
        finishedAt: null,
        status: 'running',
        files: 0,
        rowsInserted: 0,
        rowsSkipped: 0,
        goldFiles: null,
        durationMs: null,
        error: null,
        log: [],
      };
      this.line(record, `${STARTED_BY[record.trigger]}${record.rerunOf ? ` of ${record.rerunOf}` : ''}`);
      this.line(record, 'planning: bringing the dimensions up to the catalog history, listing silver files not loaded');
      this.current = { record, mine: pend !== null, phase: p.phase };
      this.save(record);
    }
    const cur = this.current!;
    const r = cur.record;
    const entered = cur.phase !== p.phase;
    cur.phase = p.phase;
    if (p.phase === 'loading' && entered) {
      this.line(r, `${count(p.filesTotal)} silver files not loaded yet (${count(p.rowsTotal)} lines)`);
      this.save(r);
    } else if (p.phase === 'loading')
      this.line(
        r,
        `loaded ${count(p.filesDone)}/${count(p.filesTotal)} files, ${count(p.rowsDone)}/${count(p.rowsTotal)} lines`,
      );
    else if (p.phase === 'gold' && entered) {
      this.line(r, 'writing the daily gold aggregates of the dates loaded');
      this.save(r);
    }
  }

  /** A run this app did not start ends: its figures from the stage's last status. */
  private stageStatus(s: StageStatus): void {
    const cur = this.current;
    if (s.stage !== 'etl' || !cur || cur.mine || (s.state !== 'stopped' && s.state !== 'failed')) return;
    this.finish(cur.record.runId, {
      runId: cur.record.runId,
      status: s.state === 'failed' ? 'failed' : 'succeeded',
      files: s.counters.files ?? 0,
      rowsInserted: s.counters.rowsInserted ?? 0,
      rowsSkipped: s.counters.rowsSkipped ?? 0,
      goldFiles: -1,
      durationMs: this.clock.now() - cur.record.startedAt,
      error: s.error?.message,
    });
  }

  private finish(runId: string, result: EtlResult): void {
    const cur = this.current;
    if (cur?.record.runId !== runId) return;
    this.current = null;
    const r = cur.record;
    Object.assign(r, {
      status: result.status,
      finishedAt: this.clock.now(),
      files: result.files,
      rowsInserted: result.rowsInserted,
      rowsSkipped: result.rowsSkipped,
      goldFiles: result.goldFiles >= 0 ? result.goldFiles : null,
      durationMs: result.durationMs,
      error: result.error ?? null,
    });
    if (result.status === 'failed') this.line(r, `failed: ${result.error ?? 'no reason given'}`, 'error');
    else
      this.line(
        r,
        `succeeded in ${(result.durationMs / 1000).toFixed(1)} s: ${count(result.files)} files, ${count(result.rowsInserted)} lines inserted, ${count(result.rowsSkipped)} skipped${r.goldFiles !== null ? `, ${count(r.goldFiles)} gold days written` : ''}`,
      );
    this.save(r);
    this.log.prune();
  }

  /** The ETL did not even start (another run holds the warehouse, the worker failed): a failed run all the same. */
  private refused(trigger: EtlTrigger, rerunOf: string | null, err: unknown): void {
    const info = toErrorInfo(err);
    if (this.current?.mine) {
      this.finish(this.current.record.runId, {
        runId: this.current.record.runId,
        status: 'failed',
        files: 0,
        rowsInserted: 0,
        rowsSkipped: 0,
        goldFiles: -1,
        durationMs: this.clock.now() - this.current.record.startedAt,
        error: info.message,
      });
      return;
    }
    const now = this.clock.now();
    const record: RunRecord = {
      runId: `etl-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`,
      trigger,
      rerunOf,
      startedAt: now,
      finishedAt: now,
      status: 'failed',
      files: 0,
      rowsInserted: 0,
      rowsSkipped: 0,
      goldFiles: null,
      durationMs: 0,
      error: `could not start: ${info.message}`,
      log: [],
    };
    this.line(record, `${STARTED_BY[trigger]}${rerunOf ? ` of ${rerunOf}` : ''}`);
    this.line(record, record.error!, 'error');
    this.save(record);
  }

  private save(r: RunRecord): void {
    try {
      this.log.save(r);
    } catch {
      // The run goes on without its log (a full disk): the warehouse's etl_runs still has it.
    }
    this.deps.emit(view(r, true));
  }

  /** Records left 'running' by an app that stopped mid-run. */
  private closeInterrupted(): void {
    for (const r of this.log.newest(50)) {
      if (r.status !== 'running') continue;
      r.status = 'interrupted';
      this.line(r, 'the app stopped while this run was going; the next run loads what it did not', 'error');
      this.save(r);
    }
  }
}

function view(r: RunRecord, hasLog: boolean): EtlRunView {
  return {
    runId: r.runId,
    trigger: r.trigger,
    rerunOf: r.rerunOf,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    status: r.status,
    files: r.files,
    rowsInserted: r.rowsInserted,
    rowsSkipped: r.rowsSkipped,
    goldFiles: r.goldFiles,
    durationMs: r.durationMs,
    error: r.error,
    hasLog,
  };
}

function fromWarehouse(r: EtlRunRecord): EtlRunView {
  const startedAt = pgTime(r.started_at) ?? 0;
  const finishedAt = pgTime(r.finished_at);
  return {
    runId: r.run_id,
    trigger: 'other',
    rerunOf: null,
    startedAt,
    finishedAt,
    status: r.status,
    files: Number(r.files_loaded),
    rowsInserted: Number(r.rows_inserted),
    rowsSkipped: Number(r.rows_skipped),
    goldFiles: null,
    durationMs: finishedAt === null ? null : finishedAt - startedAt,
    error: r.error,
    hasLog: false,
  };
}

/** The log's record, with the warehouse's word on a run the log still calls running (another process, a crash). */
function merge(l: RunRecord, w: EtlRunView | undefined): EtlRunView {
  const v = view(l, true);
  if (w && l.status === 'running' && w.status !== 'running')
    return { ...w, trigger: l.trigger, rerunOf: l.rerunOf, hasLog: true };
  return v;
}
