import { PulseError } from '../errors';

/**
 * Cron expressions as cron(8) reads them (minute hour day-of-month month day-of-week, with `*`,
 * `a-b`, `/step` and lists; month and day names; 7 is Sunday too; when both days are restricted a
 * day matching either runs, as Vixie cron does), the @-shortcuts, and friendlier words for the
 * common ones ("every 15 minutes", "hourly", "daily at 02:30"). Times are read in an IANA zone.
 */

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const SHORTCUTS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

export interface CronSchedule {
  /** The expression in its 5-field form. */
  expr: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Each day field restricted (not `*`): with both, a day matching either runs. */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

const bad = (message: string): PulseError => new PulseError('config_invalid', message, { field: 'cron' });

function value(text: string, f: FieldSpec): number {
  const upper = text.toUpperCase();
  const named = f.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (f.name === 'month' ? 1 : 0);
  if (!/^\d{1,2}$/.test(text))
    throw bad(
      `the ${f.name} field has "${text}": use a number from ${f.min} to ${f.max}${f.names ? ` or a name (${f.names[0]}…)` : ''}`,
    );
  const n = Number(text);
  if (n < f.min || n > f.max) throw bad(`the ${f.name} field has ${n}, outside ${f.min}–${f.max}`);
  return n;
}

function field(text: string, f: FieldSpec): { set: Set<number>; all: boolean } {
  const set = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') throw bad(`the ${f.name} field "${text}" has an empty item in its list`);
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) throw bad(`the ${f.name} field has "${part}": one "/" at most`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d{1,3}$/.test(stepText) || Number(stepText) < 1)
        throw bad(`the ${f.name} field has step "${stepText}": a whole number from 1`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [f.min, f.max];
    else if (range.includes('-')) {
      const [a, b, more] = range.split('-');
      if (more !== undefined || a === '' || b === '') throw bad(`the ${f.name} field has "${range}": a range is a-b`);
      [lo, hi] = [value(a, f), value(b, f)];
      if (lo > hi) throw bad(`the ${f.name} field has "${range}": the range runs backwards`);
    } else {
      lo = value(range, f);
      hi = stepText === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) set.add(f.name === 'day of week' && v === 7 ? 0 : v);
  }
  return { set, all: text === '*' || text === '*/1' };
}

/** Parses a cron expression or an @-shortcut; refuses anything else naming the field that is wrong. */
export function parseCron(text: string): CronSchedule {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const expr = SHORTCUTS[trimmed.toLowerCase()] ?? trimmed;
  if (expr.length > 200) throw bad('the cron expression is longer than 200 characters');
  const parts = expr === '' ? [] : expr.split(' ');
  if (parts.length !== 5)
    throw bad(
      `a cron expression has 5 fields (minute hour day-of-month month day-of-week), "${trimmed.slice(0, 60)}" has ${parts.length}; e.g. "*/15 * * * *" is every 15 minutes`,
    );
  const [m, h, dom, mon, dow] = parts.map((p, i) => field(p, FIELDS[i]));
  return {
    expr,
    minutes: m.set,
    hours: h.set,
    days: dom.set,
    months: mon.set,
    weekdays: dow.set,
    dayRestricted: !dom.all,
    weekdayRestricted: !dow.all,
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Friendlier words for a cron expression: "every 15 minutes", "hourly", "daily at 02:30",
 * "weekdays at 09:00", "mondays at 06:00". Returns the cron expression when it is none of those.
 */
export function fromWords(text: string): string | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  let m = /^every (\d{1,2}) minutes?$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    if (n < 1 || 60 % n !== 0)
      throw bad(`"every ${n} minutes" must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)`);
    return n === 1 ? '* * * * *' : `*/${n} * * * *`;
  }
  if (t === 'every minute') return '* * * * *';
  if (t === 'hourly' || t === 'every hour') return '0 * * * *';
  m = /^every (\d{1,2}) hours?$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    if (n < 1 || 24 % n !== 0) throw bad(`"every ${n} hours" must divide a day (1, 2, 3, 4, 6, 8, 12)`);
    return n === 1 ? '0 * * * *' : `0 */${n} * * *`;
  }
  m =
    /^(daily|every day|weekdays|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)(?: at (\d{1,2}):(\d{2}))?$/.exec(
      t,
    );
  if (m) {
    const [hour, minute] = [Number(m[2] ?? 0), Number(m[3] ?? 0)];
    if (hour > 23 || minute > 59) throw bad(`"${m[2]}:${m[3]}" is not a time of day (00:00 to 23:59)`);
    const days: Record<string, string> = { weekdays: '1-5', daily: '*', 'every day': '*' };
    const dow =
      days[m[1]] ??
      String(['sundays', 'mondays', 'tuesdays', 'wednesdays', 'thursdays', 'fridays', 'saturdays'].indexOf(m[1]));
    return `${minute} ${hour} * * ${dow}`;
  }
  return null;
}

/** A schedule typed by a user: words, an @-shortcut or a cron expression. */
export function parseSchedule(text: string): CronSchedule {
  if (typeof text !== 'string' || text.trim() === '') throw bad('the schedule is empty: e.g. "*/15 * * * *"');
  return parseCron(fromWords(text) ?? text);
}

/** The schedule in words, for the page: falls back to the expression itself. */
export function describeCron(c: CronSchedule): string {
  const [m, h, dom, mon, dow] = c.expr.split(' ');
  const every = /^\*\/(\d+)$/;
  if (h === '*' && dom === '*' && mon === '*' && dow === '*') {
    if (m === '*') return 'every minute';
    const e = every.exec(m);
    if (e) return `every ${e[1]} minutes`;
    if (/^\d+$/.test(m)) return m === '0' ? 'hourly' : `hourly at minute ${m}`;
  }
  if (/^\d+$/.test(m) && dom === '*' && mon === '*') {
    const e = every.exec(h);
    if (e && dow === '*') return `every ${e[1]} hours at minute ${m}`;
    if (/^\d+$/.test(h)) {
      const at = `at ${pad(Number(h))}:${pad(Number(m))}`;
      if (dow === '*') return `daily ${at}`;
      if (dow === '1-5') return `weekdays ${at}`;
      if (/^\d$/.test(dow))
        return `${['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'][Number(dow)]} ${at}`;
    }
  }
  return `cron ${c.expr}`;
}

/** The wall-clock fields of an instant in a zone. */
function partsIn(
  zone: string,
): (ms: number) => { month: number; day: number; weekday: number; hour: number; minute: number } {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
  });
  const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return (ms) => {
    const p: Record<string, string> = {};
    for (const { type, value: v } of fmt.formatToParts(ms)) p[type] = v;
    return {
      month: Number(p.month),
      day: Number(p.day),
      weekday: WEEKDAYS.indexOf(p.weekday),
      hour: Number(p.hour),
      minute: Number(p.minute),
    };
  };
}

/** Refuses a zone Intl does not know, naming the field. */
export function checkZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new PulseError(
      'config_invalid',
      `"${zone}" is not a time zone: use an IANA name such as Africa/Cairo or UTC`,
      {
        field: 'timeZone',
      },
    );
  }
}

const MINUTE = 60_000;
const HORIZON = 5 * 366 * 24 * 60 * MINUTE;

/**
 * The first minute strictly after `afterMs` the schedule matches, read in `zone`; null when none
 * within five years (e.g. "0 0 30 2 *", February 30th). Whole hours or days that cannot match are
 * skipped, so a yearly schedule takes a few thousand steps, not half a million.
 */
export function nextRun(c: CronSchedule, afterMs: number, zone: string): number | null {
  const at = partsIn(zone);
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const end = afterMs + HORIZON;
  while (t <= end) {
    const p = at(t);
    const dayOk =
      c.dayRestricted && c.weekdayRestricted
        ? c.days.has(p.day) || c.weekdays.has(p.weekday)
        : c.days.has(p.day) && c.weekdays.has(p.weekday);
    if (!c.months.has(p.month) || !dayOk) {
      // Towards the next local midnight, an hour short when it is far: a clock change that day
      // (daylight saving) must not carry the step past midnight. Offsets change by whole minutes.
      const left = (23 - p.hour) * 60 + (60 - p.minute);
      t += (left > 90 ? left - 60 : left) * MINUTE;
      continue;
    }
    if (!c.hours.has(p.hour)) {
      t += (60 - p.minute) * MINUTE;
      continue;
    }
    if (c.minutes.has(p.minute)) return t;
    t += MINUTE;
  }
  return null;
}
