/**
 * The operator views' CLI as a user types it (a real process on an embedded data dir): a schedule
 * set in words is kept for the app, a wrong one is refused with its field and exit code 2 and the
 * one in force stays, a manual run is listed with its trigger, and the alert rules are judged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { AlertRulesView, EtlRunView, EtlScheduleView } from '../contract';
import { tmpDirs } from '../testing/tmpDirs';

const tmp = tmpDirs('rp-ops-cli-');

function cli(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli.ts', ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test(
  'npm run etl|alerts: a schedule in words kept for the app, a wrong one refused, a run listed, rules judged',
  { timeout: 600_000 },
  () => {
    const dir = tmp();

    const set = cli(dir, 'etl', 'schedule', 'weekdays at 06:30', '--zone', 'Africa/Cairo');
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /^ETL weekdays at 06:30 \(Africa\/Cairo\); next run /);

    const wrong = cli(dir, 'etl', 'schedule', 'five past');
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /a cron expression has 5 fields .* "five past" has 2.*\(field: cron\)/);

    const kept = cli(dir, 'etl', 'schedule', '--json');
    const schedule: EtlScheduleView = JSON.parse(kept.out);
    assert.deepEqual([schedule.cron, schedule.timeZone], ['30 6 * * 1-5', 'Africa/Cairo']);
    // The next weekday 06:30 in Cairo (UTC+2): 04:30 UTC.
    assert.equal(new Date(schedule.nextRunAt!).getUTCHours() * 60 + new Date(schedule.nextRunAt!).getUTCMinutes(), 270);
    assert.ok(![0, 6].includes(new Date(schedule.nextRunAt! + 2 * 3_600_000).getUTCDay()));

    const run = cli(dir, 'etl', 'run');
    assert.equal(run.code, 0, run.err);
    const runs: EtlRunView[] = JSON.parse(cli(dir, 'etl', 'runs', '--json').out);
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.status, r.files]),
      [['manual', 'succeeded', 0]],
    );

    const checked: AlertRulesView = JSON.parse(cli(dir, 'alerts', 'check', '--json').out);
    const states = Object.fromEntries(checked.states.map((s) => [s.ruleId, s.state]));
    assert.equal(states['etl-failed'], 'ok');
    assert.equal(states['silver-freshness'], 'disabled');
  },
);
