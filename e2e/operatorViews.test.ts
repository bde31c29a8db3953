/**
 * The operator views as a user drives them in web mode (Debian's Chromium): Data quality lists every
 * rule with its counts, shows one reason's records and a raw record whole, refuses a threshold of
 * "five" at its field and takes 0.1%, which fires an alert and a browser notification; the Alerts
 * page acknowledges it; the ETL page shows a failed run's log, reruns it, and refuses then sets a cron
 * schedule; after a restart of web mode the schedule, the runs' triggers and the acknowledgement are
 * still there. Screenshots, light and dark, go to e2e/screenshots/. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { hostCall } from './hostClient';
import { launchBrowser, startWebMode, type WebMode } from './webMode';
import { SHOTS, shotBoth } from './shots';

const BROKEN = 'lake/silver/sales_lines/date=2026-01-01/hour=00/9-0-0.parquet';

async function open(
  web: WebMode,
  cleanup: (() => Promise<unknown>)[],
): Promise<{ page: Page; close: () => Promise<void> }> {
  const browser = await launchBrowser();
  cleanup.push(() => browser.close());
  const origin = new URL(web.url).origin;
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, timezoneId: 'Africa/Cairo' });
  await context.grantPermissions(['notifications'], { origin });
  // Every notification the page shows, as the browser's Notification API gets it.
  await context.addInitScript(() => {
    const w = window as unknown as { shown: { title: string; body?: string }[]; Notification: typeof Notification };
    w.shown = [];
    const Real = w.Notification;
    w.Notification = class extends Real {
      constructor(title: string, options?: NotificationOptions) {
        w.shown.push({ title, body: options?.body });
        super(title, options);
      }
    } as typeof Notification;
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(web.url);
  await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });
  return {
    page,
    close: async () => {
      assert.deepEqual(errors, []);
      await browser.close();
    },
  };
}

test('Data quality, ETL runs and Alerts in web mode, kept across a restart', { timeout: 400_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-e2e-ops-'));
  // Undone last first: browsers, then web mode, then its data.
  const cleanup: (() => Promise<unknown>)[] = [async () => fs.rmSync(dir, { recursive: true, force: true })];
  t.after(async () => {
    for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
  });
  const dataDir = path.join(dir, 'data');
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'engine/cli.ts', 'pipeline', '--data-dir', dataDir, '--seconds', '2', '--rate', '1500'].concat([
      '--invalid-rate',
      '0.15',
      '--malformed-rate',
      '0.02',
      '--json',
    ]),
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as {
    bronze: { records: number };
    quarantine: { by_reason: Record<string, number> };
  };

  let web = await startWebMode({ dataDir, keep: true });
  cleanup.push(() => web.stop());
  let ui = await open(web, cleanup);
  let page = ui.page;

  // ── Data quality ──
  await page.getByRole('link', { name: 'Data quality' }).click();
  const rules = page.getByRole('table', { name: 'Validation rules' });
  await rules.locator('tbody tr').nth(13).waitFor();
  assert.equal(await rules.locator('tbody tr').count(), 14);
  const mismatches = summary.quarantine.by_reason.total_mismatch;
  await page
    .getByRole('status', { name: 'Quality summary' })
    .getByText(new RegExp(`^${summary.bronze.records.toLocaleString('en-US')} records arrived`))
    .waitFor();
  await page.waitForFunction(
    () =>
      Number(
        document
          .querySelector('[role="img"][aria-label^="Quarantined records per reason"]')
          ?.getAttribute('data-points'),
      ) > 0,
  );
  await page.getByRole('button', { name: 'Show the total_mismatch records' }).click();
  const records = page.getByRole('table', { name: 'Quarantined records' });
  await page.getByText(new RegExp(`^${mismatches.toLocaleString('en-US')} match`)).waitFor();
  const reasons = await records.locator('tbody tr td:nth-child(4)').allInnerTexts();
  assert.ok(reasons.length === mismatches && reasons.every((r) => r === 'total_mismatch'), reasons.join());
  // The raw record, whole and pretty-printed, opened from the keyboard.
  await records
    .getByRole('button', { name: /^Show raw record/ })
    .first()
    .focus();
  await page.keyboard.press('Enter');
  const raw = page.getByLabel(/^Raw record \d+@\d+$/);
  await raw.waitFor();
  assert.match(await raw.innerText(), /^\{\n {2}"transaction_id": ".*"total_amount": [\d.]+\n\}$/s);

  // A threshold of "five" is refused at its field; 0.1% is kept, fires, and the browser notifies.
  await page.getByRole('button', { name: 'Set the threshold of total_mismatch' }).click();
  await page.getByRole('textbox', { name: 'Threshold percent' }).fill('five');
  await page.getByRole('button', { name: 'Save threshold' }).click();
  await page
    .getByRole('alert')
    .getByText(/the threshold is a percent .* \(got "five"\)/)
    .waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Threshold percent' }).getAttribute('aria-invalid'), 'true');
  await page.getByRole('textbox', { name: 'Threshold percent' }).fill('0.1');
  await page.getByRole('textbox', { name: 'Window minutes' }).fill('60');
  await page.getByRole('textbox', { name: 'Minimum records' }).fill('10');
  await page.getByRole('button', { name: 'Save threshold' }).click();
  await rules.getByText('above 0.1% over 60 min, from 10 records').waitFor();
  await page.getByRole('link', { name: /^\d alerts?$/ }).waitFor();
  await page.waitForFunction(() =>
    (window as unknown as { shown: { title: string }[] }).shown.some(
      (n) => n.title === 'Retail Pulse: Quarantine: total_mismatch',
    ),
  );
  await shotBoth(page, 'ops-quality');

  // ── Alerts ──
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Alerts' }).click();
  const centre = page.getByRole('list', { name: 'Alert centre' });
  await centre.getByText(/^total_mismatch [\d.]+% of [\d,]+ records in the last 60 min \(threshold 0\.1%\)$/).waitFor();
  const before = await hostCall(web.url, 'alerts.list', {});
  assert.ok(before.unacknowledged >= 1);
  await centre.getByRole('button', { name: /^Acknowledge Quarantine: total_mismatch/ }).click();
  await page
    .getByRole('status', { name: 'Alert count' })
    .getByText(`${before.unacknowledged - 1} not acknowledged`)
    .waitFor();
  // A new rule with a wrong value: refused at its field.
  await page.getByRole('button', { name: 'Add a rule' }).click();
  await page.getByRole('combobox', { name: 'Rule kind' }).selectOption('freshness');
  await page.getByRole('textbox', { name: 'Older than (minutes)' }).fill('99999');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await page
    .getByRole('alert')
    .getByText(/maxAgeMinutes must be a whole number from 1 to 10,080/)
    .waitFor();
  await page.getByRole('textbox', { name: 'Older than (minutes)' }).fill('120');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await page.getByRole('table', { name: 'Alert rules' }).getByText('newest silver data older than 120 min').waitFor();
  // Its name is its kind's when none was typed (not the kind the form opened with).
  const added = page
    .getByRole('table', { name: 'Alert rules' })
    .getByRole('row')
    .filter({ hasText: 'older than 120 min' });
  assert.equal(await added.getByRole('cell').first().textContent(), 'Data freshness');
  await shotBoth(page, 'ops-alerts');

  // ── ETL: a broken silver file fails a run; its log says why; Rerun loads once it is gone ──
  const broken = path.join(dataDir, BROKEN);
  fs.mkdirSync(path.dirname(broken), { recursive: true });
  fs.writeFileSync(broken, 'not parquet');
  await page.getByRole('link', { name: 'ETL' }).click();
  const history = page.getByRole('table', { name: 'ETL run history' });
  await history.getByText('pipeline (CLI)').waitFor();
  await page.getByRole('button', { name: 'Run ETL' }).click();
  await history.getByText('failed', { exact: true }).waitFor({ timeout: 60_000 });
  const failedRow = history.locator('tbody tr', { hasText: 'failed' }).first();
  await failedRow.getByRole('button', { name: /^Log of the run/ }).click();
  await page
    .getByRole('list', { name: /^Log of etl-/ })
    .getByText(/^\d{2}:\d{2}:\d{2} failed: .*9-0-0\.parquet/)
    .waitFor();
  fs.rmSync(broken);
  await failedRow.getByRole('button', { name: /^Rerun the run/ }).click();
  await history.locator('tbody tr', { hasText: 'rerun' }).getByText('succeeded').waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () =>
      Number(
        document
          .querySelector('[role="img"][aria-label="Duration and lines of each ETL run"]')
          ?.getAttribute('data-points'),
      ) >= 6,
  );
  // The schedule: a wrong minute is refused at the field, a cron is kept.
  await page.getByRole('combobox', { name: 'Schedule kind' }).selectOption('cron');
  await page.getByRole('combobox', { name: 'Schedule expression' }).fill('75 * * * *');
  await page.getByRole('button', { name: 'Set schedule' }).click();
  await page
    .locator('#schedule-error')
    .getByText(/the minute field has 75, outside 0–59/)
    .waitFor();
  await page.getByRole('combobox', { name: 'Schedule expression' }).fill('*/15 * * * *');
  await page.getByRole('button', { name: 'Set schedule' }).click();
  await page
    .getByRole('status', { name: 'Schedule in force' })
    .getByText(/^Scheduled every 15 minutes in Africa\/Cairo; next run /)
    .waitFor();
  await shotBoth(page, 'ops-etl');
  await ui.close();

  // ── A restart of web mode on the same data ──
  await web.stop();
  web = await startWebMode({ dataDir, keep: true });
  ui = await open(web, cleanup);
  page = ui.page;
  await page.getByRole('link', { name: 'ETL' }).click();
  await page
    .getByRole('status', { name: 'Schedule in force' })
    .getByText(/^Scheduled every 15 minutes in Africa\/Cairo;/)
    .waitFor();
  await page.getByRole('table', { name: 'ETL run history' }).getByText('pipeline (CLI)').waitFor();
  const triggers = await page
    .getByRole('table', { name: 'ETL run history' })
    .locator('tbody tr td:nth-child(2)')
    .allInnerTexts();
  assert.deepEqual(
    triggers.map((x) => x.split(' of ')[0]),
    ['rerun', 'manual', 'pipeline (CLI)'],
  );
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Alerts' }).click();
  await page
    .getByRole('list', { name: 'Alert centre' })
    .locator('li', { hasText: 'Quarantine: total_mismatch' })
    .getByText(/acknowledged \d{4}-/)
    .waitFor();
  // The failed run fired its own alert, which the rerun resolved; acknowledged ones stayed so.
  const after = (await hostCall(web.url, 'alerts.list', {})).alerts;
  assert.ok(after.find((a) => a.name === 'Quarantine: total_mismatch')!.acknowledgedAt !== null);
  const etlAlert = after.find((a) => a.kind === 'etl_failed')!;
  assert.ok(etlAlert.resolvedAt !== null && etlAlert.acknowledgedAt === null);
  await ui.close();
  await hostCall(web.url, 'etl.schedule', { cron: null });
});
