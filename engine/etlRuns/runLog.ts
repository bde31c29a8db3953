import fs from 'node:fs';
import path from 'node:path';
import type { EtlLogLine, EtlRunView, EtlTrigger } from '../contract';
import { PulseError } from '../errors';
import { writeFileAtomic } from '../util/fsx';

/** One run as this app saw it: what started it, its log, and its result. */
export interface RunRecord extends Omit<EtlRunView, 'hasLog'> {
  log: EtlLogLine[];
}

/** Logs kept; older ones are removed as new runs come (the warehouse's etl_runs keeps every run). */
export const KEEP_LOGS = 1000;
const MAX_LINES = 500;
const RUN_ID = /^etl-[A-Za-z0-9-]{1,100}$/;
const TRIGGERS: readonly EtlTrigger[] = ['manual', 'scheduled', 'rerun', 'replay', 'pipeline', 'other'];

export function runLogDir(dataDir: string): string {
  return path.join(dataDir, 'etl-runs');
}

/** A run id from outside: the ETL's own form only, so it can never name another file. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId))
    throw new PulseError('config_invalid', `"${runId.slice(0, 80)}" is not an ETL run id (etl-<time>-<id>)`, {
      field: 'runId',
    });
  return runId;
}

/**
 * Each run's record in <data dir>/etl-runs/<run id>.json, written whole and atomically at its start,
 * at each phase and at its end, so a crash leaves the record as of its last phase.
 */
export class RunLog {
  constructor(private readonly dir: string) {}

  save(r: RunRecord): void {
    const record =
      r.log.length > MAX_LINES ? { ...r, log: [...r.log.slice(0, 50), ...r.log.slice(-(MAX_LINES - 50))] } : r;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      writeFileAtomic(this.file(r.runId), `${JSON.stringify({ version: 1, ...record })}\n`);
    } catch (cause) {
      throw new PulseError(
        'internal',
        `cannot write the log of ETL run ${r.runId} in ${this.dir}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }

  read(runId: string): RunRecord | null {
    let text: string;
    try {
      text = fs.readFileSync(this.file(checkRunId(runId)), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return parseRecord(text);
  }

  /** The newest `limit` records (names carry the start time, so they sort by it). */
  newest(limit: number): RunRecord[] {
    return this.names()
      .slice(-limit)
      .reverse()
      .map((n) => this.read(n.slice(0, -5)))
      .filter((r): r is RunRecord => r !== null);
  }

  /** Removes the oldest logs past KEEP_LOGS. */
  prune(keep = KEEP_LOGS): void {
    const names = this.names();
    for (const n of names.slice(0, Math.max(0, names.length - keep)))
      fs.rmSync(path.join(this.dir, n), { force: true });
  }

  private names(): string[] {
    try {
      return fs
        .readdirSync(this.dir)
        .filter((n) => n.endsWith('.json') && RUN_ID.test(n.slice(0, -5)))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private file(runId: string): string {
    return path.join(this.dir, `${runId}.json`);
  }
}

/** A record read back; a file that is not one (hand-edited, torn by a full disk) is skipped. */
function parseRecord(text: string): RunRecord | null {
  try {
    const o = JSON.parse(text) as Partial<RunRecord> & { version?: number };
    if (o.version !== 1 || typeof o.runId !== 'string' || typeof o.startedAt !== 'number') return null;
    return {
      runId: o.runId,
      trigger: TRIGGERS.includes(o.trigger as EtlTrigger) ? (o.trigger as EtlTrigger) : 'other',
      rerunOf: typeof o.rerunOf === 'string' ? o.rerunOf : null,
      startedAt: o.startedAt,
      finishedAt: typeof o.finishedAt === 'number' ? o.finishedAt : null,
      status: o.status ?? 'running',
      files: Number(o.files ?? 0),
      rowsInserted: Number(o.rowsInserted ?? 0),
      rowsSkipped: Number(o.rowsSkipped ?? 0),
      goldFiles: typeof o.goldFiles === 'number' ? o.goldFiles : null,
      durationMs: typeof o.durationMs === 'number' ? o.durationMs : null,
      error: typeof o.error === 'string' ? o.error : null,
      log: Array.isArray(o.log) ? o.log.filter((l) => typeof l?.message === 'string') : [],
    };
  } catch {
    return null;
  }
}
