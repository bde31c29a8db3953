/**
 * The SQL lab and the Dashboard in web mode, driven through Debian's Chromium: a query typed with
 * completion of a column and accepted with Enter, run with Ctrl+Enter, saved under a name, its
 * chart pinned to the Dashboard, which refreshes it by itself; after a restart of web mode on the
 * same data the saved query, the history and the pinned chart are still there. CodeMirror's
 * styles (one <style> element) raise no CSP violation. Screenshots of
 * Warehouse and Dashboard, light and dark, go to e2e/screenshots/ (gitignored).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { hostCall } from './hostClient';
import { openApp } from './appPage';
import { launchBrowser, startWebMode, type WebMode } from './webMode';
import { SHOTS, shotBoth } from './shots';

const TYPED =
  'SELECT city, sum(line_amount) AS revenue FROM fact_sales JOIN dim_store USING (store_key) GROUP BY city ORDER BY revenue DESC';
const SAVED = 'Revenue by city (lab)';
const PINNED = 'Lab: revenue by city';

/** Some sales through the whole pipeline, so the warehouse has cities and revenue. */
async function loadSales(web: WebMode): Promise<void> {
  await hostCall(web.url, 'stage.start', { stage: 'stream' });
  await hostCall(web.url, 'stage.start', { stage: 'producer', settings: { rate: 2000, limit: 3000 } });
  for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
    const [producer, stream] = ['producer', 'stream'].map(async (s) =>
      (await hostCall(web.url, 'stage.list', {})).find((x) => x.stage === s)!,
    );
    const p = await producer;
    if (p.state === 'stopped' && ((await stream).counters.consumed ?? 0) >= (p.counters.records ?? 1)) break;
  }
  await hostCall(web.url, 'stage.stop', { stage: 'stream' });
  assert.equal((await hostCall(web.url, 'etl.run', {})).status, 'succeeded');
}

const statusOf = (page: Page, title: string) =>
  page.getByRole('status', { name: `${title} refresh state` }).innerText();

test(
  'SQL lab: type with completion, Ctrl+Enter, save, pin; the Dashboard refreshes it and keeps it across a restart',
  { timeout: 300_000 },
  async (t) => {
    fs.mkdirSync(SHOTS, { recursive: true });
    let web = await startWebMode({ keep: true });
    const dataDir = web.dataDir;
    t.after(async () => {
      await web.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    await loadSales(web);
    const browser = await launchBrowser();
    t.after(() => browser.close());
    const { page, errors } = await openApp(browser, web.url, 'warehouse', 'Africa/Cairo');

    // Type with completion: a column accepted from the list with Enter, the rest typed.
    const editor = page.getByRole('textbox', { name: 'Warehouse SQL' });
    await page.getByRole('button', { name: /fact_sales \(table, 14 columns\)/ }).waitFor({ timeout: 60_000 });
    await editor.fill('');
    await editor.pressSequentially('SELECT ci');
    const completion = page.locator('.cm-tooltip-autocomplete');
    await completion.getByRole('option', { name: /^city/ }).waitFor();
    // The list is refreshed 100 ms after the last key (activateOnTypingDelay) and ignores Enter for
    // 75 ms after that (interactionDelay), so fast typing is not taken as a choice: a user's pause.
    await page.waitForTimeout(500);
    assert.equal(await completion.getByRole('option', { name: /load_manifest/ }).count(), 0);
    await page.keyboard.press('Enter');
    await editor.pressSequentially(', sum(line_am');
    await completion.getByRole('option', { name: /^line_amount/ }).waitFor();
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    await editor.pressSequentially(
      ') AS revenue FROM fact_sales JOIN dim_store USING (store_key) GROUP BY city ORDER BY revenue DESC',
    );
    await page.keyboard.press('Escape');
    assert.equal(await editor.innerText(), TYPED);
    await page.keyboard.press('Control+Enter');
    const results = page.getByRole('table', { name: 'Query results' });
    await results.locator('tbody tr').first().waitFor({ timeout: 60_000 });
    assert.ok((await results.locator('tbody tr').count()) > 1, 'a row per city');
    await page.getByRole('img', { name: 'Chart of revenue by city' }).waitFor();

    // CodeMirror's styles: one <style> element it writes, which the CSP's style-src allows.
    const styles = await page.evaluate(() => ({
      codeMirror: [...document.styleSheets].some(
        (sheet) =>
          sheet.ownerNode instanceof HTMLStyleElement &&
          [...sheet.cssRules].some((r) => r.cssText.includes('.cm-content')),
      ),
      violations: (window as unknown as { cspViolations: string[] }).cspViolations,
    }));
    assert.deepEqual(styles, { codeMirror: true, violations: [] });

    // Save it under a name.
    await page.getByRole('tab', { name: /^Saved/ }).click();
    await page.getByRole('textbox', { name: 'Saved query name' }).fill(SAVED);
    await page.getByRole('button', { name: 'Save query' }).click();
    await page.getByRole('status').getByText(`Saved "${SAVED}".`).waitFor();
    await page.getByRole('tab', { name: 'History (1)' }).click();
    await page.getByRole('list', { name: 'Runs, newest first' }).getByText(TYPED).waitFor();

    // Pin its chart, refreshed every 10 s.
    await page.getByRole('textbox', { name: 'Dashboard title' }).fill(PINNED);
    await page.getByRole('combobox', { name: 'Dashboard refresh' }).selectOption('10');
    await page.getByRole('button', { name: 'Pin to Dashboard' }).click();
    await page.getByRole('status').getByText(`Pinned "${PINNED}"`).waitFor({ timeout: 30_000 });
    await page.getByRole('tab', { name: 'Schema' }).click();
    await page.getByRole('button', { name: /fact_sales \(table/ }).click();
    await shotBoth(page, 'sqllab-warehouse');

    // The Dashboard: the chart, when it refreshed, and a refresh by itself 10 s later.
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    const tile = page.getByRole('region', { name: PINNED });
    await tile.getByRole('img', { name: 'Chart of revenue by city' }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      (title) =>
        /^refreshed \d\d:\d\d:\d\d$/.test(
          document.querySelector(`[aria-label="${title} refresh state"]`)?.textContent ?? '',
        ),
      PINNED,
      { timeout: 30_000 },
    );
    const first = await statusOf(page, PINNED);
    await page.waitForFunction(
      ([title, before]) => {
        const now = document.querySelector(`[aria-label="${title} refresh state"]`)?.textContent ?? '';
        return /^refreshed /.test(now) && now !== before;
      },
      [PINNED, first] as const,
      { timeout: 40_000 },
    );
    await shotBoth(page, 'sqllab-dashboard');
    assert.deepEqual(errors, []);

    // A restart of web mode on the same data: the Dashboard, the saved query and the history are kept.
    await web.stop();
    web = await startWebMode({ dataDir, keep: true });
    await page.goto(`${web.url}#/dashboard`);
    await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });
    await tile.getByRole('img', { name: 'Chart of revenue by city' }).waitFor({ timeout: 60_000 });
    assert.match(await statusOf(page, PINNED), /^(refreshed \d\d:\d\d:\d\d|refreshing…)$/);
    await page.getByRole('link', { name: 'Warehouse', exact: true }).click();
    await page.getByRole('tab', { name: 'Saved (1)' }).click();
    await page.getByRole('button', { name: `Open ${SAVED}` }).click();
    assert.equal(await editor.innerText(), TYPED);
    await page.getByRole('tab', { name: /^History \(\d+\)/ }).click();
    await page.getByRole('list', { name: 'Runs, newest first' }).getByText(TYPED).first().waitFor();
    const kept = await hostCall(web.url, 'dashboard.pins', {});
    assert.deepEqual(
      kept.items.map((p) => [p.title, p.refreshSeconds, p.chart]),
      [[PINNED, 10, { type: 'bar', x: 'city', y: ['revenue'] }]],
    );
    assert.deepEqual(errors, []);
  },
);
