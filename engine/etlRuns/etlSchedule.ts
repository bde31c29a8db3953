import fs from 'node:fs';
import path from 'node:path';
import type { EtlScheduleView } from '../contract';
import { PulseError } from '../errors';
import { writeFileAtomic } from '../util/fsx';
import { checkZone, describeCron, nextRun, parseSchedule } from './cron';

/** What is kept in <data dir>/etl-schedule.json. */
type Spec = { kind: 'cron'; expr: string; timeZone: string } | { kind: 'every'; minutes: number; anchor: number };
interface Saved {
  version: 1;
  schedule: Spec | null;
  lastRunAt: number | null;
}

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): () => void;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

/** setTimeout's longest wait; a later run is reached by waiting again. */
const MAX_WAIT = 2 ** 31 - 1;

export function scheduleFile(dataDir: string): string {
  return path.join(dataDir, 'etl-schedule.json');
}

/**
 * The ETL's schedule, kept in the data dir (written atomically) so it survives a restart: every N
 * minutes from when it was set, or a cron expression read in a time zone. Runs missed while the app
 * was closed are not made up (as cron does); the next one is the next time the schedule names.
 */
export class EtlScheduler {
  private saved: Saved = { version: 1, schedule: null, lastRunAt: null };
  private problem: string | null = null;
  private next: number | null = null;
  private cancel: (() => void) | null = null;

  constructor(
    private readonly file: string,
    private readonly fire: () => Promise<unknown>,
    private readonly clock: Clock = REAL_CLOCK,
  ) {
    this.load();
    this.arm();
  }

  view(): EtlScheduleView {
    const s = this.saved.schedule;
    return {
      everyMinutes: s?.kind === 'every' ? s.minutes : null,
      cron: s?.kind === 'cron' ? s.expr : null,
      timeZone: s?.kind === 'cron' ? s.timeZone : null,
      description: s ? describe(s) : null,
      nextRunAt: this.next,
      lastRunAt: this.saved.lastRunAt,
      problem: this.problem,
    };
  }

  /** Sets the schedule (or turns it off with null); the schedule in force stays when the new one is refused. */
  set(q: { everyMinutes?: number | null; cron?: string | null; timeZone?: string }): EtlScheduleView {
    let spec: Spec | null;
    if (q.everyMinutes !== undefined && q.cron !== undefined)
      throw new PulseError('config_invalid', 'give everyMinutes or cron, not both', { field: 'cron' });
    // "every 7 minutes" is no cron (7 does not divide an hour): the words mean every N minutes then.
    const every = typeof q.cron === 'string' ? /^\s*every\s+(\d{1,4})\s+minutes?\s*$/i.exec(q.cron) : null;
    if (every && 60 % Number(every[1]) !== 0) return this.set({ everyMinutes: Number(every[1]) });
    if (q.cron !== undefined && q.cron !== null) {
      const parsed = parseSchedule(q.cron);
      const timeZone = checkZone(q.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
      if (nextRun(parsed, this.clock.now(), timeZone) === null)
        throw new PulseError(
          'config_invalid',
          `"${q.cron}" never comes within five years (a date that does not exist?)`,
          {
            field: 'cron',
          },
        );
      spec = { kind: 'cron', expr: parsed.expr, timeZone };
    } else if (q.everyMinutes !== undefined && q.everyMinutes !== null) {
      const n = q.everyMinutes;
      if (!Number.isInteger(n) || n < 1 || n > 24 * 60)
        throw new PulseError(
          'config_invalid',
          `the ETL schedule must be a whole number of minutes from 1 to 1440 (use "Schedule off" to stop it), got ${n}`,
          { field: 'everyMinutes' },
        );
      spec = { kind: 'every', minutes: n, anchor: this.clock.now() };
    } else spec = null;
    this.write({ ...this.saved, schedule: spec });
    this.problem = null;
    this.arm();
    return this.view();
  }

  close(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private arm(): void {
    this.cancel?.();
    this.cancel = null;
    const s = this.saved.schedule;
    const now = this.clock.now();
    this.next = s ? nextTime(s, now) : null;
    if (this.next === null) return;
    const at = this.next;
    const wait = Math.min(MAX_WAIT, Math.max(0, at - now));
    this.cancel = this.clock.setTimer(() => {
      if (this.clock.now() + 1000 < at) return this.arm();
      // A run that fails is recorded as failed (and alerted on); the schedule goes on.
      this.write({ ...this.saved, lastRunAt: this.clock.now() });
      void this.fire().catch(() => undefined);
      this.arm();
    }, wait);
  }

  private write(next: Saved): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileAtomic(this.file, `${JSON.stringify(next)}\n`);
    } catch (cause) {
      throw new PulseError('internal', `cannot save the ETL schedule to ${this.file}: ${(cause as Error).message}`, {
        cause,
      });
    }
    this.saved = next;
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.problem = `the ETL schedule in ${this.file} could not be read (${(err as Error).message}); it is off`;
      return;
    }
    try {
      this.saved = checkSaved(JSON.parse(text));
    } catch (err) {
      const kept = `${this.file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(this.file, kept);
      this.problem = `the ETL schedule in ${this.file} could not be read (${(err as Error).message}); it was kept as ${kept} and the schedule is off`;
    }
  }
}

function describe(s: Spec): string {
  return s.kind === 'every'
    ? `every ${s.minutes} minute${s.minutes === 1 ? '' : 's'}`
    : describeCron(parseSchedule(s.expr));
}

function nextTime(s: Spec, now: number): number | null {
  if (s.kind === 'cron') return nextRun(parseSchedule(s.expr), now, s.timeZone);
  const ms = s.minutes * 60_000;
  return s.anchor + (Math.floor((now - s.anchor) / ms) + 1) * ms;
}

function checkSaved(v: unknown): Saved {
  const o = v as Partial<Saved> | null;
  if (typeof o !== 'object' || o === null || o.version !== 1) throw new Error('not a version 1 schedule');
  const s = o.schedule as (Partial<Extract<Spec, { kind: 'cron' }>> & Partial<Extract<Spec, { kind: 'every' }>>) | null;
  const lastRunAt = typeof o.lastRunAt === 'number' ? o.lastRunAt : null;
  if (s === null || s === undefined) return { version: 1, schedule: null, lastRunAt };
  if (s.kind === 'cron' && typeof s.expr === 'string' && typeof s.timeZone === 'string') {
    parseSchedule(s.expr);
    return { version: 1, schedule: { kind: 'cron', expr: s.expr, timeZone: checkZone(s.timeZone) }, lastRunAt };
  }
  if (
    s.kind === 'every' &&
    Number.isInteger(s.minutes) &&
    (s.minutes ?? 0) >= 1 &&
    (s.minutes ?? 0) <= 1440 &&
    typeof s.anchor === 'number'
  )
    return { version: 1, schedule: { kind: 'every', minutes: s.minutes!, anchor: s.anchor }, lastRunAt };
  throw new Error('the schedule is neither a cron expression nor every N minutes');
}
