/**
 * Event timestamps as point-of-sale producers write them, parsed by hand: the validator runs about a
 * million records a second, and neither a regular expression nor a Date per record is needed.
 *
 * Accepted (RFC 3339 / ISO-8601 extended format):
 *   YYYY-MM-DD ('T' | 't' | ' ') hh:mm:ss [ '.' 1-9 digits ] [ 'Z' | 'z' | ±hh:mm | ±hhmm ]
 * No zone means UTC (the field is timestamp_utc). An offset is converted to UTC. Fractions are kept
 * to the microsecond (digits past the sixth are cut, as PostgreSQL and Parquet keep microseconds).
 */

/** Microseconds since the Unix epoch, UTC; NaN when `s` is not an accepted timestamp. */
export function parseTimestampUs(s: string): number {
  const n = s.length;
  if (n < 19 || n > 40) return NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  // Any NaN makes the sum NaN: one test for all six fields.
  if (Number.isNaN(year + month + day + hour + minute + second)) return NaN;
  const sep = s.charCodeAt(10);
  if (
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32) /* space */ ||
    s.charCodeAt(13) !== 58 /* : */ ||
    s.charCodeAt(16) !== 58
  )
    return NaN;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
    return NaN;

  let i = 19;
  let micros = 0;
  if (i < n && s.charCodeAt(i) === 46 /* . */) {
    i++;
    const start = i;
    let scale = 100_000;
    while (i < n) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      micros += d * scale;
      scale = scale >= 10 ? scale / 10 : 0;
      i++;
    }
    const count = i - start;
    if (count < 1 || count > 9) return NaN;
  }

  let offsetMin = 0;
  if (i < n) {
    const z = s.charCodeAt(i);
    if (z === 90 /* Z */ || z === 122 /* z */) {
      i++;
    } else if (z === 43 /* + */ || z === 45 /* - */) {
      const oh = digits(s, i + 1, 2);
      let om: number;
      if (s.charCodeAt(i + 3) === 58 /* : */) {
        om = digits(s, i + 4, 2);
        i += 6;
      } else {
        om = digits(s, i + 3, 2);
        i += 5;
      }
      if (!(oh <= 23 && om <= 59)) return NaN;
      offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
    } else return NaN;
  }
  if (i !== n) return NaN;

  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offsetMin * 60;
  return seconds * 1_000_000 + micros;
}

/** Why `s` is refused, for the quarantine's detail (only called for a refused timestamp). */
export function describeBadTimestamp(s: string): string {
  const shown = JSON.stringify(s.slice(0, 40));
  const shape = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}/.test(s);
  return shape
    ? `not a real date and time, or an unreadable fraction or zone: ${shown}`
    : `not an ISO-8601 timestamp (YYYY-MM-DDThh:mm:ss[.ffffff][Z|±hh:mm]): ${shown}`;
}

/** The value of `len` ASCII digits at `at`, or NaN. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let k = 0; k < len; k++) {
    const d = s.charCodeAt(at + k) - 48;
    if (!(d >= 0 && d <= 9)) return NaN;
    v = v * 10 + d;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
