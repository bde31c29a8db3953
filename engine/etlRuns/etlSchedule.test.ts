import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tmpDirs } from '../testing/tmpDirs';
import { EtlScheduler, scheduleFile, type Clock } from './etlSchedule';

const tmp = tmpDirs('rp-schedule-');

/** A clock the test moves: timers fire in time order as it passes them (no waiting on the wall clock). */
function fakeClock(start: string) {
  let now = Date.parse(start);
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const clock: Clock = {
    now: () => now,
    setTimer: (fn, ms) => {
      const id = ++ids;
      timers.push({ at: now + ms, fn, id });
      return () => void (timers = timers.filter((t) => t.id !== id));
    },
  };
  const advanceTo = (iso: string) => {
    const until = Date.parse(iso);
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const t = timers[0];
      if (!t || t.at > until) break;
      timers.shift();
      now = t.at;
      t.fn();
    }
    now = until;
  };
  return { clock, advanceTo, pending: () => timers.length };
}

test('schedule: a cron runs the ETL at the times it names, in its zone, and survives a restart', () => {
  const dir = tmp();
  const file = scheduleFile(dir);
  const runs: string[] = [];
  const { clock, advanceTo } = fakeClock('2026-03-05T10:07:00Z');
  const fire = async () => void runs.push(new Date(clock.now()).toISOString());
  const s = new EtlScheduler(file, fire, clock);
  assert.deepEqual(s.view(), {
    everyMinutes: null,
    cron: null,
    timeZone: null,
    description: null,
    nextRunAt: null,
    lastRunAt: null,
    problem: null,
  });
  const set = s.set({ cron: 'every 15 minutes', timeZone: 'Africa/Cairo' });
  assert.equal(set.cron, '*/15 * * * *');
  assert.equal(set.description, 'every 15 minutes');
  assert.equal(set.nextRunAt, Date.parse('2026-03-05T10:15:00Z'));
  advanceTo('2026-03-05T10:50:00Z');
  assert.deepEqual(runs, ['2026-03-05T10:15:00.000Z', '2026-03-05T10:30:00.000Z', '2026-03-05T10:45:00.000Z']);
  s.close();

  // The app restarts an hour later: the schedule is read back; runs missed meanwhile are not made up.
  const later = fakeClock('2026-03-05T11:52:00Z');
  const again = new EtlScheduler(
    file,
    async () => void runs.push(new Date(later.clock.now()).toISOString()),
    later.clock,
  );
  assert.equal(again.view().cron, '*/15 * * * *');
  assert.equal(again.view().timeZone, 'Africa/Cairo');
  assert.equal(again.view().lastRunAt, Date.parse('2026-03-05T10:45:00Z'));
  assert.equal(again.view().nextRunAt, Date.parse('2026-03-05T12:00:00Z'));
  runs.length = 0;
  later.advanceTo('2026-03-05T12:01:00Z');
  assert.deepEqual(runs, ['2026-03-05T12:00:00.000Z']);

  // Daily at 02:30 Cairo time is 00:30 UTC in March.
  assert.equal(
    again.set({ cron: 'daily at 02:30', timeZone: 'Africa/Cairo' }).nextRunAt,
    Date.parse('2026-03-06T00:30:00Z'),
  );
  // Off: no more runs, and off is kept too.
  assert.equal(again.set({ cron: null }).nextRunAt, null);
  runs.length = 0;
  later.advanceTo('2026-03-07T00:00:00Z');
  assert.deepEqual(runs, []);
  again.close();
  assert.equal(new EtlScheduler(file, fire, later.clock).view().cron, null);
  assert.equal(later.pending(), 0);
});

test('schedule: every N minutes counts from when it was set, across a restart', () => {
  const dir = tmp();
  const runs: number[] = [];
  const { clock, advanceTo } = fakeClock('2026-03-05T10:07:00Z');
  const s = new EtlScheduler(scheduleFile(dir), async () => void runs.push(clock.now()), clock);
  assert.equal(s.set({ everyMinutes: 45 }).description, 'every 45 minutes');
  // The same in words: 45 does not divide an hour, so no cron can say it.
  assert.deepEqual(
    (({ everyMinutes, cron, description }) => ({ everyMinutes, cron, description }))(
      s.set({ cron: 'Every 45 minutes' }),
    ),
    { everyMinutes: 45, cron: null, description: 'every 45 minutes' },
  );
  advanceTo('2026-03-05T11:40:00Z');
  assert.deepEqual(runs, [Date.parse('2026-03-05T10:52:00Z'), Date.parse('2026-03-05T11:37:00Z')]);
  s.close();
  const later = fakeClock('2026-03-05T12:00:00Z');
  assert.equal(
    new EtlScheduler(scheduleFile(dir), async () => undefined, later.clock).view().nextRunAt,
    Date.parse('2026-03-05T12:22:00Z'),
  );
});

test('schedule: a wrong schedule is refused with its field, and the one in force stays', () => {
  const dir = tmp();
  const { clock } = fakeClock('2026-03-05T10:07:00Z');
  const s = new EtlScheduler(scheduleFile(dir), async () => undefined, clock);
  s.set({ cron: '0 * * * *', timeZone: 'UTC' });
  const refused: [Parameters<EtlScheduler['set']>[0], string, RegExp][] = [
    [{ cron: '61 * * * *' }, 'cron', /minute field has 61/],
    [{ cron: '0 0 30 2 *' }, 'cron', /never comes/],
    [{ cron: '0 * * * *', timeZone: 'Mars/Olympus' }, 'timeZone', /not a time zone/],
    [{ everyMinutes: 0 }, 'everyMinutes', /from 1 to 1440/],
    [{ everyMinutes: 2.5 }, 'everyMinutes', /whole number/],
    [{ everyMinutes: 5, cron: '* * * * *' }, 'cron', /not both/],
  ];
  for (const [q, field, message] of refused)
    assert.throws(
      () => s.set(q),
      (e: { field?: string; message?: string }) => e.field === field && message.test(e.message ?? ''),
      JSON.stringify(q),
    );
  assert.equal(s.view().cron, '0 * * * *');
  assert.equal(new EtlScheduler(scheduleFile(dir), async () => undefined, clock).view().cron, '0 * * * *');
});

test('schedule: a file that cannot be read is kept aside and said; the schedule is off', () => {
  const dir = tmp();
  const file = scheduleFile(dir);
  fs.writeFileSync(file, '{"version":1,"schedule":{"kind":"cron","expr":"99 * * * *","timeZone":"UTC"}}');
  const { clock } = fakeClock('2026-03-05T10:07:00Z');
  const s = new EtlScheduler(file, async () => undefined, clock);
  assert.equal(s.view().cron, null);
  assert.match(s.view().problem ?? '', /could not be read .*minute field has 99.*kept as .*unreadable-/);
  assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith(`${path.basename(file)}.unreadable-`)).length, 1);
  assert.equal(s.set({ everyMinutes: 10 }).problem, null);
});
