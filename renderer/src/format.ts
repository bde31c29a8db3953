/**
 * Every number, amount, date and time the UI shows goes through here: one locale, one time zone
 * (the user's own unless Settings picks another, and said on screen), thousands separators,
 * EGP on money. Pure functions of (value, zone), so charts outside React use them too.
 */

export const LOCALE = 'en-US';
export const CURRENCY = 'EGP';

/** 'local' follows the machine; anything else is an IANA zone name ('UTC', 'Africa/Cairo'). */
export type ZoneChoice = string;

export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function resolveZone(choice: ZoneChoice): string {
  if (choice === 'local') return localZone();
  try {
    new Intl.DateTimeFormat(LOCALE, { timeZone: choice });
    return choice;
  } catch {
    return localZone();
  }
}

const INT = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const DEC2 = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const MONEY = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: CURRENCY,
  currencyDisplay: 'code',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const MONEY_0 = new Intl.NumberFormat(LOCALE, {
  style: 'currency',
  currency: CURRENCY,
  currencyDisplay: 'code',
  maximumFractionDigits: 0,
});

/** A numeric string as PostgreSQL prints it ('1234.50', '-7', '1e3' aside): grouped without going through a float. */
const DECIMAL = /^(-?)(\d+)(\.\d+)?$/;

function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function isNumeric(v: unknown): boolean {
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && DECIMAL.test(v));
}

/** 12,345 or 12,345.67; exact for numeric strings. */
export function formatNumber(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'string') {
    const m = DECIMAL.exec(v);
    return m ? `${m[1]}${groupDigits(m[2])}${m[3] ?? ''}` : v;
  }
  if (!Number.isFinite(v)) return '–';
  return Number.isInteger(v) ? INT.format(v) : DEC2.format(v);
}

/** EGP 12,345.67; exact for numeric strings (PostgreSQL's numeric). */
export function formatMoney(v: number | string | null | undefined, opts: { whole?: boolean } = {}): string {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'string') {
    const m = DECIMAL.exec(v);
    if (!m) return v;
    const cents = `${(m[3] ?? '.').slice(1)}00`.slice(0, 2);
    const exact = m[3] === undefined || m[3].length <= 3;
    if (exact && !opts.whole) return `${m[1]}${CURRENCY}\u00a0${groupDigits(m[2])}.${cents}`;
    v = Number(v);
  }
  if (!Number.isFinite(v)) return '–';
  return (opts.whole ? MONEY_0 : MONEY).format(v);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${INT.format(n)} B`;
  if (n < 1 << 20) return `${DEC1(n / 1024)} KB`;
  if (n < 1 << 30) return `${DEC1(n / (1 << 20))} MB`;
  return `${DEC1(n / (1 << 30))} GB`;
}
const DEC1 = (x: number) => x.toLocaleString(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A timestamp as ISO 8601 or as PostgreSQL prints one ('2026-03-01 10:15:00.123+00'). */
export const TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Epoch ms, a Date, or a timestamp string; one without a zone is UTC (PostgreSQL timestamps are). */
function toDate(v: number | string | Date): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  const m = TIMESTAMP_TEXT.exec(v);
  const zone = m?.[3]
    ? m[3] === 'Z'
      ? 'Z'
      : m[3].length === 3
        ? `${m[3]}:00`
        : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
    : 'Z';
  const d = new Date(m ? `${m[1]}T${m[2]}${zone}` : v);
  return Number.isNaN(d.getTime()) ? null : d;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();
function parts(zone: string, d: Date): Record<string, string> {
  let f = partsCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsCache.set(zone, f);
  }
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
}

/** 2026-03-01 12:15:07 in the zone (ISO order: unambiguous, sorts as text). */
export function formatDateTime(v: number | string | Date | null | undefined, zone: string): string {
  const d = v === null || v === undefined ? null : toDate(v);
  if (!d) return v === null || v === undefined ? '–' : String(v);
  const p = parts(zone, d);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** 12:15:07 in the zone. */
export function formatTime(v: number | string | Date, zone: string): string {
  return formatDateTime(v, zone).slice(11);
}

/** 12:15 in the zone. */
export function formatMinute(v: number | string | Date, zone: string): string {
  return formatDateTime(v, zone).slice(11, 16);
}

/** "Africa/Cairo (UTC+02:00)": what the page says its times are in. */
export function zoneLabel(zone: string, at: Date = new Date()): string {
  const name = new Intl.DateTimeFormat(LOCALE, { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = !name || name === 'GMT' ? 'UTC' : name.replace('GMT', 'UTC');
  return zone === 'UTC' ? 'UTC' : `${zone} (${offset})`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${INT.format(Math.round(ms))} ms`;
  if (ms < 60_000) return `${DEC1(ms / 1000)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A share as a percent: 0.0512 → "5.12%"; null → "–". */
export function formatPercent(share: number | null | undefined, digits = 2): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${(share * 100).toLocaleString(LOCALE, { minimumFractionDigits: 0, maximumFractionDigits: digits })}%`;
}

/**
 * "2026-03-01 12:15" (or with seconds, or a T) as a wall-clock time in `zone`, to epoch ms; null when
 * it is not such a time. The inverse of formatDateTime, for times a user types in the app's zone.
 */
export function parseDateTime(text: string, zone: string): number | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?\s*$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0));
  const wall = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(wall);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  // The zone's offset at that instant, found from how the zone shows a first guess (twice, across a DST change).
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const shown = Date.parse(`${formatDateTime(guess, zone).replace(' ', 'T')}Z`);
    guess = wall - (shown - guess);
  }
  return guess;
}
