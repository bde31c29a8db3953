/**
 * A whole user session in web mode, driven through Debian's Chromium, then a restart on the same
 * data: the producer keeps the rate set on the Pipeline page across navigation (read back from
 * the Host), live charts gain points, the lake tree works by keyboard and lists files in offset
 * order, the ETL refuses "every 0 minutes", a preset charts its revenue column and money reads
 * "EGP 1,234.50", results survive navigation and a failed query clears them, Settings refuses
 * "four" partitions by field; a stopped producer's final counters match bronze; after a restart
 * with an unreachable Redis saved, the app is up, says what failed and where to fix it, and shows
 * the lake's counts. Screenshots of every page, light and dark, go to e2e/screenshots/ (gitignored).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { hostCall } from './hostClient';
import { launchBrowser, startWebMode } from './webMode';
import { SHOTS, shotBoth } from './shots';

const ZONE = 'Africa/Cairo';

async function points(page: Page, label: string): Promise<number> {
  return Number(await page.getByRole('img', { name: label }).getAttribute('data-points'));
}

const nodeValue = async (page: Page, node: string, line: string): Promise<string> =>
  (
    await page
      .getByRole('region', { name: node })
      .first()
      .locator('dl > div', { hasText: line })
      .locator('dd')
      .innerText()
  ).trim();

test('a user session in web mode, then a restart with an unreachable Redis', { timeout: 480_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  let web = await startWebMode({ keep: true });
  const dataDir = web.dataDir;
  t.after(async () => {
    await web.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const context = await browser.newContext({
    viewport: { width: 1360, height: 900 },
    acceptDownloads: true,
    timezoneId: ZONE,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(web.url);
  await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });

  // Pipeline: 1,500 tx/s and late events on, then start both stages by clicking.
  const rateInput = page.getByRole('spinbutton', { name: 'Producer rate (transactions per second)' });
  await rateInput.fill('1500');
  // The switch shows what the Host has in force: it turns on when the Host answers.
  await page.getByRole('switch', { name: 'Late events' }).click();
  await page.locator('input[role="switch"]:checked').waitFor();
  await page.getByRole('button', { name: 'Start producer' }).click();
  await page.getByRole('button', { name: 'Start stream' }).click();
  await page.getByRole('button', { name: 'Stop stream' }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
  await page.getByRole('region', { name: 'Stream' }).first().getByText('running').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(3000);
  await shotBoth(page, '1-pipeline');

  // Live, and back: the controls show what the Host has in force, and the Host still has it.
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
  await page.getByText(`Times in ${ZONE} (UTC+02:00)`).waitFor();
  await shotBoth(page, '2-live');
  await page.getByRole('link', { name: 'Pipeline' }).click();
  assert.equal(await rateInput.inputValue(), '1500');
  assert.equal(await page.getByRole('switch', { name: 'Late events' }).isChecked(), true);
  const inForce = await hostCall(web.url, 'producer.settings', {});
  assert.equal(inForce.rate, 1500, 'the Host runs the producer at 1,500 tx/s');
  assert.equal(inForce.faults.late, 0.02);

  // Lake: silver → date → hour by mouse and keyboard, files in offset order, a preview.
  await page.getByRole('link', { name: 'Lake' }).click();
  const tree = page.getByRole('tree', { name: 'Partitions' });
  for (let i = 0; i < 30 && (await tree.getByRole('treeitem').count()) === 0; i++) {
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: 'Bronze' }).click();
    await page.getByRole('button', { name: 'Silver' }).click();
  }
  const firstDate = tree.getByRole('treeitem').first();
  await firstDate.focus();
  await page.keyboard.press('ArrowRight');
  await tree.getByRole('treeitem', { level: 2 }).first().waitFor();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  const files = page.getByRole('table', { name: 'Files' });
  await files.waitFor({ timeout: 30_000 });
  const names = await files.locator('tbody tr td:first-child').allInnerTexts();
  const order = names.map((n) => n.replace('.parquet', '').split('-').map(Number));
  const sorted = [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(order, sorted, 'files by partition, then first offset, as numbers');
  await files
    .getByRole('button', { name: /^Preview / })
    .first()
    .click();
  const preview = page.getByRole('table', { name: 'Preview rows' });
  await preview.waitFor();
  assert.ok((await preview.locator('tbody tr').count()) > 0, 'preview rows shown');
  assert.ok((await page.getByRole('table', { name: 'Schema' }).locator('tbody tr').count()) > 5, 'schema shown');
  await shotBoth(page, '3-lake');
  await page.getByRole('tab', { name: 'SQL over the lake' }).click();
  await page.getByRole('button', { name: 'Run lake query' }).click();
  await page
    .getByRole('table', { name: 'Lake query results' })
    .locator('tbody tr')
    .first()
    .waitFor({ timeout: 30_000 });
  await shotBoth(page, '3b-lake-sql');

  // ETL: run to 100% with a history row; "every 0 minutes" is refused at the field.
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
  const history = page.getByRole('region', { name: 'ETL run history' });
  assert.match(await history.locator('tbody td').first().innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  await history.getByText(`times in ${ZONE} (UTC+02:00)`).waitFor();
  await page.getByRole('spinbutton', { name: 'Schedule minutes' }).fill('0');
  await page.getByRole('button', { name: 'Set schedule' }).click();
  await page
    .locator('#schedule-error')
    .getByText(/from 1 to 1440/)
    .waitFor();
  await page.getByText('no schedule').waitFor();
  await shotBoth(page, '4-etl');

  // Warehouse: a preset charts revenue; money is formatted; CSV export; results survive navigation.
  await page.getByRole('link', { name: 'Warehouse' }).click();
  await page.getByRole('button', { name: 'Top 10 products by revenue' }).click();
  const results = page.getByRole('table', { name: 'Query results' });
  await results.locator('tbody tr').first().waitFor({ timeout: 60_000 });
  await page.getByRole('img', { name: 'Chart of revenue by product_name' }).waitFor();
  const revenueCol = (await results.locator('thead th').allInnerTexts()).indexOf('revenue');
  const money = results.locator('tbody tr').first().locator('td').nth(revenueCol);
  assert.match(await money.innerText(), /^EGP\s[1-9]\d{0,2}(,\d{3})*\.\d{2}$/);
  assert.equal(await money.evaluate((td) => getComputedStyle(td).textAlign), 'right');
  await shotBoth(page, '5-warehouse');
  await page.getByRole('button', { name: 'Revenue by city and category' }).click();
  await page.getByRole('img', { name: 'Chart of revenue by city and category' }).waitFor({ timeout: 60_000 });
  const rows = await results.locator('tbody tr').count();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV (this page)' }).click(),
  ]);
  const csv = fs
    .readFileSync((await download.path())!, 'utf8')
    .trim()
    .split(/\r\n/);
  assert.equal(csv[0], 'city,category,revenue,units');
  assert.equal(csv.length - 1, rows);
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

  await page.getByRole('textbox', { name: 'Warehouse SQL' }).fill('SELECT * FROM fact_sales');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.getByText(/rows 1–1,000, more follow/).waitFor({ timeout: 60_000 });
  assert.equal(await results.locator('tbody tr').count(), 1000);
  await page.getByRole('link', { name: 'Infrastructure' }).click();
  await page.getByRole('table', { name: 'Service modes' }).getByText('embedded').first().waitFor();
  await shotBoth(page, '6-infrastructure');
  await page.getByRole('link', { name: 'Warehouse' }).click();
  await page.getByText(/rows 1–1,000, more follow/).waitFor();
  await page.getByRole('textbox', { name: 'Warehouse SQL' }).fill('SELECT no_such_column FROM fact_sales');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page
    .locator('#warehouse-sql-error')
    .getByText(/no_such_column/)
    .waitFor({ timeout: 30_000 });
  await results.waitFor({ state: 'detached', timeout: 5000 }); // a failed query leaves no result behind

  // Settings: "four" partitions refused by field; an unreachable Redis tested, then saved.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('textbox', { name: 'Partitions (new topic)' }).fill('four');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page
    .locator('#partitions-error')
    .getByText(/got "four"/)
    .waitFor();
  assert.equal(
    await page
      .getByRole('status')
      .filter({ hasText: /^Saved/ })
      .count(),
    0,
  );
  await page.getByRole('textbox', { name: 'Partitions (new topic)' }).fill('');
  const redisBox = page.getByRole('group', { name: 'Metrics store (Redis)' });
  await page.getByRole('textbox', { name: 'Redis URL' }).fill('redis://127.0.0.1:1');
  await redisBox.getByRole('button', { name: 'Test connection' }).click();
  await redisBox
    .getByText(/127\.0\.0\.1:1.*(refused|reach)/i)
    .first()
    .waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved: restart the app to apply them.').waitFor();
  await shotBoth(page, '7-settings');

  // Stop: the producer's final counters reach the page; bronze (from the lake's files) matches them.
  await page.getByRole('link', { name: 'Pipeline' }).click();
  await page.getByRole('button', { name: 'Stop producer' }).click();
  await page.getByRole('button', { name: 'Start producer' }).and(page.locator(':enabled')).waitFor();
  await page.getByRole('region', { name: 'Producer' }).getByText('stopped').waitFor();
  assert.equal(await nodeValue(page, 'Producer', 'rate'), '–', 'a stopped producer shows no rate');
  const producer = (await hostCall(web.url, 'stage.list', {})).find((x) => x.stage === 'producer')!;
  const produced = (producer.counters.records ?? -1).toLocaleString('en-US');
  assert.equal(await nodeValue(page, 'Producer', 'records'), produced, 'the final counters reach the page');
  // The stream catches up with everything produced (the machine is shared: this can take a while).
  let consumed = 0;
  for (const until = Date.now() + 120_000; Date.now() < until; await page.waitForTimeout(500)) {
    const stream = (await hostCall(web.url, 'stage.list', {})).find((x) => x.stage === 'stream')!;
    consumed = stream.counters.consumed ?? 0;
    if (consumed >= (producer.counters.records ?? 0)) break;
  }
  assert.equal(consumed, producer.counters.records, 'the stream consumed exactly what the stopped producer counted');
  await page.getByRole('button', { name: 'Stop stream' }).click();
  await page.getByRole('button', { name: 'Start stream' }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
  // What the lake holds once the stream stopped (its last files flushed), as the page shows it.
  const durable = await hostCall(web.url, 'lake.counts', {});
  const [bronze, silver, quarantine] = [durable.bronze.records, durable.silver.lines, durable.quarantine.records].map(
    (n) => n.toLocaleString('en-US'),
  );
  assert.equal(bronze, produced);
  await page.getByRole('region', { name: 'Silver' }).getByText(silver, { exact: true }).waitFor();
  assert.deepEqual(errors, []);

  // Restart on the same data dir, with the unreachable Redis saved: the app is up and says so.
  await web.stop();
  web = await startWebMode({ dataDir, keep: true });
  await page.goto(web.url);
  await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });
  await page.getByRole('link', { name: /Metrics store not reachable/ }).waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    (n) =>
      [...document.querySelectorAll('section[aria-label="Bronze"] dl > div')]
        .find((d) => d.textContent?.startsWith('records'))
        ?.querySelector('dd')?.textContent === n,
    bronze,
    { timeout: 60_000 },
  );
  assert.equal(await nodeValue(page, 'Silver', 'lines'), silver);
  assert.equal(await nodeValue(page, 'Quarantine', 'records'), quarantine);
  await shotBoth(page, '8-pipeline-after-restart');
  await page.getByRole('link', { name: 'Live' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/ })
    .waitFor();
  await page.getByRole('link', { name: 'Check the metrics store in Settings' }).waitFor();
  await shotBoth(page, '9-live-redis-failed');
  await page.getByRole('link', { name: /Metrics store not reachable/ }).click();
  await redisBox.getByText('not reachable', { exact: true }).waitFor();
  await page.getByRole('textbox', { name: 'Redis URL' }).fill('');
  await redisBox.getByRole('button', { name: 'Test connection' }).click();
  await redisBox.getByText(/embedded memory answered/).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved: restart the app to apply them.').waitFor();
  await shotBoth(page, '10-settings-redis-failed');
  assert.deepEqual(errors, []);
});
