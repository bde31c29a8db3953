/**
 * A whole user session in web mode, driven through Debian's Chromium: start producer and stream by
 * clicking, watch a live chart gain points, open a silver partition and preview it, run the ETL to
 * 100% with a history row, run a preset query, export CSV and read it, stop everything. Screenshots
 * of every page go to e2e/screenshots/ (gitignored). Needs `npm run build` first (npm test does it).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, startWebMode } from './webMode';

const SHOTS = path.resolve('e2e/screenshots');

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function points(page: Page, label: string): Promise<number> {
  return Number(await page.getByRole('img', { name: label }).getAttribute('data-points'));
}

test('a user session in web mode, from first click to stopping everything', { timeout: 300_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const web = await startWebMode();
  t.after(() => web.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(web.url);
  await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });

  // Pipeline: start both stages by clicking.
  await page.getByRole('button', { name: 'Start producer' }).click();
  await page.getByRole('button', { name: 'Start stream' }).click();
  await page.getByRole('button', { name: 'Stop stream' }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
  await page.getByRole('region', { name: 'Stream' }).first().getByText('running').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(3000);
  await shot(page, '1-pipeline');

  // Live: the charts gain points as ticks arrive.
  await page.getByRole('link', { name: 'Live' }).click();
  const chart = 'Transactions per second';
  await page.waitForFunction(
    (l) => Number(document.querySelector(`[aria-label="${l}"]`)?.getAttribute('data-points')) > 0,
    chart,
  );
  const before = await points(page, chart);
  await page.waitForFunction(
    ([l, n]) => Number(document.querySelector(`[aria-label="${l}"]`)?.getAttribute('data-points')) > Number(n),
    [chart, before] as const,
    { timeout: 15_000 },
  );
  assert.ok((await points(page, chart)) > before);
  await page.waitForFunction(
    () =>
      Number(document.querySelector('[aria-label="Revenue per store per minute"]')?.getAttribute('data-points')) > 0,
    undefined,
    { timeout: 30_000 },
  );
  await shot(page, '2-live');

  // Lake: silver layer → date → hour → a file → schema and preview rows.
  await page.getByRole('link', { name: 'Lake' }).click();
  const tree = page.getByRole('tree', { name: 'Partitions' });
  for (let i = 0; i < 30 && (await tree.getByRole('treeitem').count()) === 0; i++) {
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: 'Bronze' }).click();
    await page.getByRole('button', { name: 'Silver' }).click();
  }
  await tree.getByRole('treeitem').first().locator('.tree-label').first().click();
  await tree.getByRole('treeitem', { level: 2 }).first().locator('.tree-label').click();
  const firstPreview = page
    .getByRole('table', { name: 'Files' })
    .getByRole('button', { name: /^Preview / })
    .first();
  await firstPreview.click();
  const preview = page.getByRole('table', { name: 'Preview rows' });
  await preview.waitFor();
  assert.ok((await preview.locator('tbody tr').count()) > 0, 'preview rows shown');
  assert.ok((await page.getByRole('table', { name: 'Schema' }).locator('tbody tr').count()) > 5, 'schema shown');
  await shot(page, '3-lake');
  await page.getByRole('tab', { name: 'SQL over the lake' }).click();
  await page.getByRole('button', { name: 'Run lake query' }).click();
  await page
    .getByRole('table', { name: 'Lake query results' })
    .locator('tbody tr')
    .first()
    .waitFor({ timeout: 30_000 });
  await shot(page, '3b-lake-sql');

  // ETL: run, progress to 100%, a history row.
  await page.getByRole('link', { name: 'ETL' }).click();
  await page.getByRole('button', { name: 'Run ETL' }).click();
  await page.waitForFunction(
    () => document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') === '100',
    undefined,
    { timeout: 120_000 },
  );
  await page
    .getByRole('table', { name: 'ETL run history' })
    .getByText('succeeded')
    .first()
    .waitFor({ timeout: 30_000 });
  await shot(page, '4-etl');

  // Warehouse: a preset, rows, CSV export read back.
  await page.getByRole('link', { name: 'Warehouse' }).click();
  await page.getByRole('button', { name: 'Revenue by city and category' }).click();
  const results = page.getByRole('table', { name: 'Query results' });
  await results.locator('tbody tr').first().waitFor({ timeout: 60_000 });
  const rows = await results.locator('tbody tr').count();
  assert.ok(rows > 0);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csv = fs
    .readFileSync((await download.path())!, 'utf8')
    .trim()
    .split(/\r\n/);
  assert.equal(csv[0], 'city,category,revenue,units');
  assert.equal(csv.length - 1, rows);
  await shot(page, '5-warehouse');

  // Warehouse: a long query on the embedded warehouse stops on Cancel, and the page says so.
  await page
    .getByRole('textbox', { name: 'Warehouse SQL' })
    .fill('SELECT sum(a.g * b.g) FROM generate_series(1, 20000) a(g), generate_series(1, 20000) b(g)');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.getByRole('status').getByText('running…').waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('status').getByText('cancelled').waitFor({ timeout: 5_000 });
  assert.equal(await page.getByRole('button', { name: 'Run query' }).isEnabled(), true);
  assert.equal(await page.getByRole('alert').filter({ hasText: 'cancelled' }).count(), 0, 'a cancel is not an error');

  await page.getByRole('link', { name: 'Infrastructure' }).click();
  await page.getByRole('table', { name: 'Service modes' }).getByText('embedded').first().waitFor();
  await shot(page, '6-infrastructure');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Save settings' }).waitFor();
  await shot(page, '7-settings');
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  await page.getByRole('link', { name: 'Pipeline' }).click();
  await shot(page, '8-pipeline-other-theme');

  // Stop everything.
  await page.getByRole('button', { name: 'Stop producer' }).click();
  await page.getByRole('button', { name: 'Stop stream' }).click();
  await page.getByRole('button', { name: 'Start stream' }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Start producer' }).and(page.locator(':enabled')).waitFor();
  assert.deepEqual(errors, []);
});
