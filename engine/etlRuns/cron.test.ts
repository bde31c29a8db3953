import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCron, nextRun, parseSchedule } from './cron';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, after: string, zone = 'UTC') => {
  const t = nextRun(parseSchedule(expr), at(after), zone);
  return t === null ? null : new Date(t).toISOString();
};

test('cron: the next run of the usual schedules, strictly after the given time', () => {
  assert.equal(next('*/15 * * * *', '2026-03-05T10:07:30Z'), '2026-03-05T10:15:00.000Z');
  assert.equal(next('*/15 * * * *', '2026-03-05T10:15:00Z'), '2026-03-05T10:30:00.000Z');
  assert.equal(next('0 * * * *', '2026-03-05T23:59:00Z'), '2026-03-06T00:00:00.000Z');
  assert.equal(next('30 2 * * 1-5', '2026-03-06T03:00:00Z'), '2026-03-09T02:30:00.000Z'); // Friday → Monday
  assert.equal(next('0 0 1 1 *', '2026-06-15T12:00:00Z'), '2027-01-01T00:00:00.000Z');
  assert.equal(next('5,35 9-10 * JAN,mar SUN', '2026-03-01T09:06:00Z'), '2026-03-01T09:35:00.000Z');
  assert.equal(next('0 0 * * 7', '2026-03-02T00:00:00Z'), '2026-03-08T00:00:00.000Z'); // 7 is Sunday too
  // Both days restricted: the 13th or a Friday, as cron(8) says.
  assert.equal(next('0 12 13 * 5', '2026-03-07T00:00:00Z'), '2026-03-13T12:00:00.000Z');
  assert.equal(next('0 12 14 * 5', '2026-03-07T00:00:00Z'), '2026-03-13T12:00:00.000Z');
  assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), null);
});

test('cron: read in a time zone, across its clock changes', () => {
  assert.equal(next('30 2 * * *', '2026-03-05T00:00:00Z', 'Africa/Cairo'), '2026-03-05T00:30:00.000Z');
  // New York springs forward at 02:00 on 2026-03-08: 02:30 does not exist that day.
  assert.equal(next('30 2 * * *', '2026-03-08T05:00:00Z', 'America/New_York'), '2026-03-09T06:30:00.000Z');
  // Midnight the day after a change, reached from early in the day of the change.
  assert.equal(next('0 0 * * 1', '2026-03-08T05:05:00Z', 'America/New_York'), '2026-03-09T04:00:00.000Z');
  // Falls back on 2026-11-01: 01:00 comes twice, the first is taken.
  assert.equal(next('0 1 * * *', '2026-11-01T00:00:00Z', 'America/New_York'), '2026-11-01T05:00:00.000Z');
});

test('cron: friendlier words and @-shortcuts, and their description', () => {
  const cases: [string, string, string][] = [
    ['every 15 minutes', '*/15 * * * *', 'every 15 minutes'],
    ['Every minute', '* * * * *', 'every minute'],
    ['hourly', '0 * * * *', 'hourly'],
    ['every 6 hours', '0 */6 * * *', 'every 6 hours at minute 0'],
    ['daily at 02:30', '30 2 * * *', 'daily at 02:30'],
    ['weekdays at 9:05', '5 9 * * 1-5', 'weekdays at 09:05'],
    ['mondays at 06:00', '0 6 * * 1', 'Mondays at 06:00'],
    ['@daily', '0 0 * * *', 'daily at 00:00'],
    ['@weekly', '0 0 * * 0', 'Sundays at 00:00'],
    ['  */5   *  * * * ', '*/5 * * * *', 'every 5 minutes'],
    ['0 3 1 * *', '0 3 1 * *', 'cron 0 3 1 * *'],
  ];
  for (const [text, expr, words] of cases) {
    const c = parseSchedule(text);
    assert.equal(c.expr, expr, text);
    assert.equal(describeCron(c), words, text);
  }
});

test('cron: every wrong schedule is refused with the cron field and what is wrong', () => {
  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['*/15 * * *', /5 fields .* has 4/],
    ['* * * * * *', /has 6/],
    ['75 * * * *', /minute field has 75, outside 0–59/],
    ['* 24 * * *', /hour field has 24, outside 0–23/],
    ['* * 0 * *', /day of month field has 0, outside 1–31/],
    ['* * * 13 *', /month field has 13/],
    ['* * * * 8', /day of week field has 8/],
    ['* * * FOO *', /month field has "FOO": use a number from 1 to 12 or a name/],
    ['*/0 * * * *', /step "0"/],
    ['10-5 * * * *', /runs backwards/],
    ['1,,2 * * * *', /empty item/],
    ['1-2-3 * * * *', /a range is a-b/],
    ['*/5/2 * * * *', /one "\/" at most/],
    ['every 7 minutes', /must divide an hour/],
    ['daily at 25:00', /not a time of day/],
    ["'; DROP TABLE etl_runs; --", /the minute field has "';"/],
    ['x'.repeat(500), /5 fields|longer than 200/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parseSchedule(text),
      (e: { code?: string; field?: string; message?: string }) =>
        e.code === 'config_invalid' && e.field === 'cron' && message.test(e.message ?? ''),
      text,
    );
  }
});
