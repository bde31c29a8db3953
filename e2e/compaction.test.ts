/**
 * The Lake page's Compaction tab in web mode through Debian's Chromium, on yesterday's imported
 * sales (silver's hours are closed; bronze's, by arrival, are this hour's and wait): the plan says
 * what would be merged and writes nothing, "Compact now" merges silver and shows the run per layer,
 * the silver hour then lists one compacted file with the batch files it holds, lake SQL counts
 * every line once, and the schedule refuses "0" beside its field and keeps a good value across a
 * reload. Screenshots of the tab and of the compacted hour, light and dark, go to e2e/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import type { PipelineSummary } from '../engine/contract';
import { writeSalesFiles } from '../engine/testing/salesFiles';
import { hostCall } from './hostClient';
import { launchBrowser, startWebMode } from './webMode';
import { SHOTS, shotBoth } from './shots';

/** The lake's files as if written an hour ago (compaction leaves files younger than its settle time). */
function age(lakeDir: string): void {
  const then = new Date(Date.now() - 3_600_000);
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else fs.utimesSync(p, then, then);
    }
  };
  walk(lakeDir);
}

test("the Lake page's Compaction tab: plan, run, the compacted hour, the schedule", { timeout: 420_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(path.resolve('.'), '.e2e-compaction-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const sales = writeSalesFiles(path.join(dataDir, 'yesterday'), {
    count: 4000,
    seed: 11,
    from: Date.now() - 27 * 3_600_000,
    stepMs: 2_000,
    only: ['ndjson'],
  });
  // As a user would: npm run import, then a pipeline run that drains them (and loads the warehouse).
  const npm = (args: string[]) => {
    const r = spawnSync('npm', ['run', '-s', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  npm(['import', '--', '--data-dir', dataDir, sales.ndjson]);
  const s = JSON.parse(npm(['pipeline', '--', '--data-dir', dataDir, '--seconds', '0', '--json'])) as PipelineSummary;
  assert.equal(s.bronze.records, 4000);
  age(path.join(dataDir, 'lake'));

  const web = await startWebMode({ dataDir, keep: true });
  t.after(() => web.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(web.url);
  await page.getByRole('link', { name: 'Lake' }).click();
  await page.getByRole('tab', { name: 'Compaction' }).click();
  const tab = page.getByRole('region', { name: 'Compaction' });
  await tab.getByText('runs only when asked').waitFor();

  // The plan: silver's closed hours, nothing written.
  await tab.getByRole('button', { name: 'Show plan' }).click();
  const plan = tab.getByRole('table', { name: 'Compaction plan by layer' });
  await plan.waitFor();
  const planSilver = plan.getByRole('row').filter({ hasText: /^silver/ });
  const planned = (await planSilver.getByRole('cell').allInnerTexts()).map((x) => x.trim());
  assert.ok(Number(planned[2].replace(/,/g, '')) > Number(planned[3].replace(/,/g, '')), planned.join(' | '));
  assert.ok(!fs.existsSync(path.join(dataDir, 'lake', '_compaction')), 'a plan writes nothing');
  await tab.getByText(/files wait for a later run/).waitFor();

  // Compact now: the run per layer, every silver line merged.
  await tab.getByRole('button', { name: 'Compact now' }).click();
  const done = tab.getByRole('region', { name: 'Last compaction' });
  await done.getByText('Succeeded').waitFor({ timeout: 120_000 });
  const silverRow = (
    await done
      .getByRole('table', { name: 'Compaction by layer' })
      .getByRole('row')
      .filter({ hasText: /^silver/ })
      .getByRole('cell')
      .allInnerTexts()
  ).map((x) => x.trim());
  assert.equal(silverRow[2], planned[2], 'the files the plan named were merged');
  assert.equal(silverRow[6], s.silver.lines.toLocaleString('en-US'), 'every silver line, formatted');
  await shotBoth(page, '3c-lake-compaction');

  // The silver hour now holds one compacted file, and says which batch files and offsets it holds.
  await page.getByRole('tab', { name: 'Files' }).click();
  await page.getByRole('button', { name: 'Silver' }).click();
  const tree = page.getByRole('tree', { name: 'Partitions' });
  await tree.getByRole('treeitem').first().focus();
  await page.keyboard.press('ArrowRight');
  await tree.getByRole('treeitem', { level: 2 }).first().waitFor();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  const files = page.getByRole('table', { name: 'Files' });
  await files.waitFor({ timeout: 30_000 });
  const rows = await files.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 1, rows.join('\n'));
  assert.match(rows[0], /^compact_/);
  assert.match(rows[0], /[\d,]+ files: p\d+ [\d,]+–[\d,]+/);
  await shotBoth(page, '3d-lake-compacted-hour');

  // Lake SQL counts each line once (the replaced files are still there, in their grace period).
  const counted = await hostCall(web.url, 'lake.query', {
    sql: 'SELECT count(*), count(DISTINCT (transaction_id, line_no)) FROM silver',
  });
  assert.deepEqual(counted.rows[0].map(Number), [s.silver.lines, s.silver.lines]);

  // The schedule: refused beside its field, then kept across a reload (read from the Host).
  await page.getByRole('tab', { name: 'Compaction' }).click();
  await tab.getByLabel('Compaction schedule minutes').fill('0');
  await tab.getByRole('button', { name: 'Set compaction schedule' }).click();
  await page.locator('#compaction-schedule-error').waitFor();
  assert.equal(await tab.getByLabel('Compaction schedule minutes').getAttribute('aria-invalid'), 'true');
  await tab.getByLabel('Compaction schedule minutes').fill('90');
  await tab.getByRole('button', { name: 'Set compaction schedule' }).click();
  await tab.getByText(/every 90 min, next at/).waitFor();
  await page.reload();
  await page.getByRole('tab', { name: 'Compaction' }).click();
  await page
    .getByRole('region', { name: 'Compaction' })
    .getByText(/every 90 min, next at/)
    .waitFor();
  assert.equal(await page.getByLabel('Compaction schedule minutes').inputValue(), '90');
  await page.getByRole('button', { name: 'Compaction schedule off' }).click();
  await page.getByText('runs only when asked').waitFor();
  assert.deepEqual(errors, []);
});
