/**
 * The Topics page in web mode, driven through Debian's Chromium: the newest messages, a row opened
 * to its value by keyboard, a partition from an offset, a search by transaction id (Enter), a sale
 * written by hand with a broken total that the stream then quarantines as total_mismatch, the live
 * tail following and paused, and lag per partition with its chart. Screenshots light and dark go to
 * e2e/screenshots/ (gitignored).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { hostCall } from './hostClient';
import { openApp } from './appPage';
import { launchBrowser, startWebMode, type WebMode } from './webMode';
import { SHOTS, shotBoth } from './shots';

/** Runs the stream until it has read everything on the topic now, then stops it. */
async function drain(web: WebMode): Promise<void> {
  const ends = (await hostCall(web.url, 'topics.read', { limit: 1 })).partitions.map((p) => p.end);
  const total = ends.reduce((a, b) => a + b, 0);
  await hostCall(web.url, 'stage.start', { stage: 'stream' });
  for (const until = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 300))) {
    assert.ok(Date.now() < until, 'the stream did not drain');
    const lag = await hostCall(web.url, 'topics.lag', {});
    if (lag.partitions.reduce((s, p) => s + (p.lake ?? 0), 0) >= total) break;
  }
  await hostCall(web.url, 'stage.stop', { stage: 'stream' });
}

test('Topics page: browse, search, send by hand, tail and lag in web mode', { timeout: 300_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const web = await startWebMode();
  t.after(() => web.stop());
  await hostCall(web.url, 'stage.start', { stage: 'producer', settings: { rate: 2000, limit: 2000 } });
  for (const until = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 300))) {
    assert.ok(Date.now() < until, 'the producer did not finish');
    if ((await hostCall(web.url, 'stage.list', {})).find((s) => s.stage === 'producer')!.state === 'stopped') break;
  }
  await drain(web);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page, errors } = await openApp(browser, web.url, 'topics', 'Africa/Cairo');

  // The newest page: 100 messages of every partition.
  const messages = page.getByRole('table', { name: 'Messages of the topic' });
  await messages.locator('tbody tr').nth(99).waitFor();
  assert.equal(await messages.locator('tbody tr').count(), 100);
  assert.match(await page.getByRole('status', { name: 'Page' }).innerText(), /100 messages of every partition/);

  // A row opened by keyboard shows its value indented.
  const opener = messages.getByRole('button', { name: /^Show the value of / }).first();
  await opener.focus();
  await page.keyboard.press('Enter');
  const value = await page.locator('.topic-value').first().innerText();
  assert.match(value, /^\{\n {2}"transaction_id": "[^"]+",\n/);
  const id = /"transaction_id": "([^"]+)"/.exec(value)![1];

  // One partition from an offset.
  await page.getByLabel('Partition', { exact: true }).selectOption('1');
  await page.getByLabel('Start at').selectOption('offset');
  await page.getByLabel('Offset').fill('20');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.getByRole('status', { name: 'Page' }).getByText('of partition 1').waitFor();
  assert.equal(await messages.locator('tbody tr').first().locator('td').nth(2).innerText(), '20');

  // Search by transaction id, by keyboard.
  await page.getByLabel('Transaction id').fill(id);
  await page.getByLabel('Transaction id').press('Enter');
  const result = page.getByRole('status', { name: 'Search result' });
  await result.getByText(`1 record with transaction id ${id}`).waitFor();
  assert.match(await result.innerText(), /silver \(accepted\)/);

  // A sale written by hand with a total that does not add up.
  await page.getByRole('button', { name: 'Start from a valid sale' }).click();
  const draft = page.getByLabel('Message value');
  await page.waitForFunction(
    () => (document.querySelector('[aria-label="Message value"]') as HTMLTextAreaElement).value,
  );
  const sale = JSON.parse(await draft.inputValue()) as { transaction_id: string; total_amount: number };
  await draft.fill(JSON.stringify({ ...sale, total_amount: sale.total_amount + 100 }, null, 2));
  await page.getByRole('button', { name: 'Send to the topic' }).click();
  const sent = page.getByRole('status', { name: 'Sent' });
  await sent.getByText(/to partition \d+, offset [\d,]+/).waitFor();
  const [, p, o] = /partition (\d+), offset ([\d,]+)/.exec(await sent.innerText())!;
  await sent.getByRole('button', { name: 'Show it' }).click();
  await page.getByRole('status', { name: 'Page' }).getByText(`of partition ${p}`).waitFor();
  assert.equal(await messages.locator('tbody tr').first().locator('td').nth(2).innerText(), o);
  await drain(web);
  await sent.getByRole('button', { name: `Search for ${sale.transaction_id}` }).click();
  await result.getByText(/quarantine: total_mismatch/).waitFor();

  // The live tail of every partition (its own choice; the browser keeps the partition it shows):
  // follows what arrives, then pauses.
  await page.getByLabel('Tail partition').selectOption({ label: 'every partition' });
  await page.getByRole('button', { name: 'Follow' }).click();
  assert.equal(await page.getByLabel('Partition', { exact: true }).inputValue(), p);
  await page
    .getByRole('status', { name: 'Tail state' })
    .getByText(/following every partition/)
    .waitFor();
  await hostCall(web.url, 'topics.produce', { key: 'e2e', value: '{"tail":"from a till"}' });
  await page.getByRole('table', { name: 'Tail messages' }).getByText('{"tail":"from a till"}').waitFor();
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByRole('status', { name: 'Tail state' }).getByText('paused').waitFor();
  assert.equal((await hostCall(web.url, 'topics.tail', {})).following, false, 'the Host stopped following');

  // Lag per partition: the lake and the group's commits, and a chart of samples.
  const lag = page.getByRole('table', { name: 'Lag per partition' });
  await lag.locator('tbody tr').nth(3).waitFor();
  const tailPartition = (await hostCall(web.url, 'topics.lag', {})).partitions.find((x) => x.lakeLag === 1);
  assert.ok(tailPartition, 'the tail record is past the lake in one partition');
  await page.getByLabel('Consumer group').fill('');
  await page.getByRole('button', { name: 'Show lag' }).click();
  await page.waitForFunction(
    () => Number(document.querySelector('[aria-label="Lag per partition over time"]')?.getAttribute('data-points')) > 0,
  );
  assert.match(await page.getByRole('status', { name: 'Group state' }).innerText(), /trusts only them/);

  await shotBoth(page, 'topics');
  assert.deepEqual(errors, []);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
});
