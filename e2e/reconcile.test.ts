/**
 * The Live page's time range, store filter and auto-refresh, and the Reconciliation page with its
 * lineage, in web mode through Debian's Chromium: a range older than the live windows reads silver
 * (said on the page), one store alone, charts that stop following the Host while auto-refresh is
 * off; a click on the revenue chart traces that store's minute to its silver rows and raw bronze
 * records; the form does the same from the keyboard. Screenshots of Live and Reconciliation, light
 * and dark, go to e2e/screenshots/ (gitignored).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { hostCall } from './hostClient';
import { openApp } from './appPage';
import { launchBrowser, startWebMode, type WebMode } from './webMode';
import { SHOTS, shotBoth } from './shots';

/** Sales through the whole pipeline, some of them late (older than the first live window). */
async function loadSales(web: WebMode): Promise<void> {
  await hostCall(web.url, 'stage.start', { stage: 'stream' });
  await hostCall(web.url, 'stage.start', {
    stage: 'producer',
    settings: { rate: 2000, limit: 4000, faults: { malformed: 0.01, invalid: 0.02, late: 0.05, duplicate: 0 } },
  });
  for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
    const list = await hostCall(web.url, 'stage.list', {});
    const p = list.find((x) => x.stage === 'producer')!;
    const s = list.find((x) => x.stage === 'stream')!;
    if (p.state === 'stopped' && (s.counters.consumed ?? 0) >= (p.counters.records ?? 1)) break;
  }
  await hostCall(web.url, 'stage.stop', { stage: 'stream' });
  assert.equal((await hostCall(web.url, 'etl.run', {})).status, 'succeeded');
}

const ZONE = 'Africa/Cairo';
/** A minute as the page shows it in ZONE: "2026-11-29 13:36". */
const wall = (ms: number) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, dateStyle: 'short', timeStyle: 'short' }).format(ms);

/** "2026-11-29 13:36" in ZONE to epoch ms (ZONE's offset at that time). */
function fromWall(text: string): number {
  const guess = Date.parse(`${text.replace(' ', 'T')}:00Z`);
  return guess - (Date.parse(`${wall(guess).replace(' ', 'T')}:00Z`) - guess);
}

const points = (page: Page, label: string) =>
  page.evaluate((l) => Number((document.querySelector(`[aria-label="${l}"]`) as HTMLElement).dataset.points), label);

test(
  'Live: range from silver, one store, auto-refresh off; a point traced to its bronze records',
  { timeout: 300_000 },
  async (t) => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const web = await startWebMode();
    t.after(() => web.stop());
    await loadSales(web);
    const browser = await launchBrowser();
    t.after(() => browser.close());
    const { page, errors } = await openApp(browser, web.url, 'live', ZONE);
    const revenue = 'Revenue per store per minute';
    await page.waitForFunction(
      (l) => Number(document.querySelector<HTMLElement>(`[aria-label="${l}"]`)?.dataset.points) > 0,
      revenue,
    );

    // A 3-hour range: the late sales older than the first live window come from silver, and the page says so.
    await page.getByRole('combobox', { name: 'Time range' }).selectOption('180');
    const source = page.getByRole('status', { name: 'Where the minutes come from' });
    await page.waitForFunction(() =>
      /minutes before \d\d:\d\d from silver, then the live windows/.test(
        document.querySelector('[aria-label="Where the minutes come from"]')?.textContent ?? '',
      ),
    );
    const range = await hostCall(web.url, 'metrics.range', { minutes: 180 });
    assert.deepEqual(
      range.sources.map((s) => s.source),
      ['silver', 'windows'],
    );
    const all = await points(page, revenue);
    assert.ok(all > 0);

    // One store: a single line, its products and categories from silver.
    const store = page.getByRole('combobox', { name: 'Store filter' });
    const firstStore = await store.locator('option').nth(1).getAttribute('value');
    await store.selectOption(firstStore!);
    await page.getByText('Top products (this store, from silver)').waitFor();
    await page.waitForFunction(
      ([l, before]) => Number(document.querySelector<HTMLElement>(`[aria-label="${l}"]`)?.dataset.points) < before,
      [revenue, all] as const,
    );
    const one = await hostCall(web.url, 'metrics.range', { minutes: 180, stores: [Number(firstStore)] });
    assert.ok(one.windows.every((w) => Object.keys(w.byStore).every((s) => s === firstStore)));
    await shotBoth(page, 'live-range-store');

    // Auto-refresh off while sales come in: the charts keep what they show until it is on again.
    await store.selectOption('');
    await hostCall(web.url, 'stage.start', { stage: 'stream' });
    await hostCall(web.url, 'stage.start', { stage: 'producer', settings: { rate: 300, limit: 100_000 } });
    const tps = 'Transactions per second';
    await page.waitForFunction(
      (l) => Number(document.querySelector<HTMLElement>(`[aria-label="${l}"]`)?.dataset.points) > 2,
      tps,
    );
    await page.getByRole('switch', { name: 'Auto-refresh' }).click();
    await source.getByText(/paused at \d\d:\d\d:\d\d/).waitFor();
    const frozen = await points(page, tps);
    // Nothing to wait for: the point is that nothing happens while the Host ticks every second.
    await page.waitForTimeout(3_000);
    assert.equal(await points(page, tps), frozen, 'paused: the chart did not take the ticks');
    await page.getByRole('switch', { name: 'Auto-refresh' }).click();
    await page.waitForFunction(
      ([l, before]) => Number(document.querySelector<HTMLElement>(`[aria-label="${l}"]`)?.dataset.points) > before,
      [tps, frozen] as const,
    );
    await hostCall(web.url, 'stage.stop', { stage: 'producer' });
    await hostCall(web.url, 'stage.stop', { stage: 'stream' });
    await hostCall(web.url, 'etl.run', {});

    // A click on the revenue chart: that minute and the nearest store's line, traced on the Reconciliation page.
    await page.getByRole('combobox', { name: 'Time range' }).selectOption('15');
    const box = (await page.getByRole('img', { name: revenue }).boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.55, box.y + box.height * 0.6);
    await page.waitForURL(/#\/reconciliation$/);
    const summary = page.getByRole('status', { name: 'Lineage summary' });
    await summary.waitFor({ timeout: 60_000 });
    const storeId = Number(await page.getByRole('combobox', { name: 'Lineage store' }).inputValue());
    const minuteText = await page.getByRole('textbox', { name: 'Lineage minute' }).inputValue();
    // The minute the click named, as the page shows it in ZONE, back to an instant.
    const minute = fromWall(minuteText);
    assert.equal(wall(minute), minuteText);
    const lineage = await hostCall(web.url, 'lineage.minute', { storeId, minute, limit: 50 });
    assert.ok(lineage.silver.sales > 0);
    assert.match(
      await summary.innerText(),
      new RegExp(`silver holds ${lineage.silver.sales.toLocaleString('en-US')} sales`),
    );
    const rows = page.getByRole('region', { name: 'Sales and their records' }).locator('tbody tr');
    assert.equal(await rows.count(), lineage.sales.length);
    const first = lineage.sales[0];
    await page.getByRole('button', { name: `Show records of ${first.transactionId.slice(0, 8)}` }).click();
    const raw = page.locator('pre.raw-record').first();
    assert.equal(await raw.innerText(), JSON.stringify(JSON.parse(first.bronze!.value), null, 2));
    await page
      .getByText(`partition ${first.partition} offset ${first.offset.toLocaleString('en-US')}`)
      .first()
      .waitFor();

    // Every check holds or is explained; the layers as the Host reads them.
    const checks = page.getByRole('list', { name: 'Checks' }).locator(':scope > li');
    await checks.first().waitFor();
    assert.equal(await checks.count(), 5);
    for (const label of await checks.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '')))
      assert.match(label, /: (holds|explained)$/);
    const report = await hostCall(web.url, 'reconcile.report', {});
    const bronze = page.getByRole('table', { name: 'Layers side by side' }).getByRole('row', { name: /^Bronze/ });
    assert.match(
      await bronze.innerText(),
      new RegExp(report.layers.find((l) => l.layer === 'bronze')!.records!.toLocaleString('en-US')),
    );
    await shotBoth(page, 'reconciliation');

    // The same from the keyboard: the minute before, typed, then Enter.
    const earlier = wall(minute - 60_000);
    const minuteBox = page.getByRole('textbox', { name: 'Lineage minute' });
    await minuteBox.focus();
    await minuteBox.fill(earlier);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (at) => (document.querySelector('[aria-label="Lineage summary"]')?.textContent ?? '').includes(at),
      earlier,
    );
    await minuteBox.fill('yesterday');
    await page.keyboard.press('Enter');
    await page
      .getByRole('alert')
      .getByText(/type the minute as YYYY-MM-DD HH:MM/)
      .waitFor();

    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    assert.deepEqual({ errors, violations }, { errors: [], violations: [] });
  },
);
