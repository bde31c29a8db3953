/**
 * Reference data, quarantine replay and imports as a user does them in web mode: a wrong catalog is
 * refused with its problems and nothing applies; a catalog adding a missing product is previewed and
 * applied; the quarantine's records with that product are replayed into silver; a sales file is
 * imported with a progress bar and a summary. Screenshots (light and dark) go to e2e/screenshots/.
 * Needs `npm run build` first (npm test does it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BUILTIN_CATALOG } from '../engine/model/catalog';
import { writeSalesFiles } from '../engine/testing/salesFiles';
import { launchBrowser, startWebMode } from './webMode';
import { SHOTS, shot } from './shots';

test('catalog import, quarantine replay and a sales file import from the app', { timeout: 300_000 }, async (t) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-e2e-data-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  // A run where some records name product 9999, which the catalog does not have.
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'engine/cli.ts',
      'pipeline',
      '--data-dir',
      dataDir,
      '--seconds',
      '2',
      '--rate',
      '1500',
      '--invalid-rate',
      '0.15',
      '--json',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const before = JSON.parse(run.stdout) as { quarantine: { by_reason: Record<string, number> } };
  const unknown = before.quarantine.by_reason.unknown_product;
  assert.ok(unknown > 0);

  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(
    bad,
    JSON.stringify({
      ...BUILTIN_CATALOG,
      products: [...BUILTIN_CATALOG.products, { product_id: 101, name: 'Again', category: 'X' }],
    }),
  );
  const good = path.join(dir, 'with-9999.json');
  fs.writeFileSync(
    good,
    JSON.stringify({
      ...BUILTIN_CATALOG,
      products: [
        ...BUILTIN_CATALOG.products,
        { product_id: 9999, name: 'Seasonal Hamper', category: 'Gifts', price: 300 },
      ],
    }),
  );
  const sales = writeSalesFiles(path.join(dir, 'backfill'), {
    count: 3000,
    seed: 4,
    from: Date.now() - 3 * 86_400_000,
    stepMs: 1000,
    only: ['ndjson'],
  });

  const web = await startWebMode({ dataDir, keep: true });
  t.after(() => web.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(web.url);
  await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });

  // Data: a wrong catalog is refused with file, row and field; nothing applies.
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  const inForce = page.getByRole('region', { name: 'Catalog' }).getByText(/12 stores, 34 products/);
  await inForce.waitFor();
  await page.getByLabel('Catalog files').setInputFiles(bad);
  const problems = page.getByRole('table', { name: 'Catalog problems' });
  await problems.getByText('duplicate product_id 101 (first at item 1)').waitFor();
  assert.equal(await problems.locator('tbody tr td').nth(1).textContent(), '35');
  assert.ok(await page.getByRole('button', { name: 'Apply catalog' }).isDisabled());
  await shot(page, 'data-1-catalog-refused');

  // The right one: preview, then apply.
  await page.getByLabel('Catalog files').setInputFiles(good);
  await page.getByRole('table', { name: 'Catalog changes' }).getByText('product 9999: Seasonal Hamper').waitFor();
  await page.getByRole('button', { name: 'Apply catalog' }).click();
  await page
    .getByRole('region', { name: 'Catalog' })
    .getByText(/12 stores, 35 products, from app import: with-9999\.json/)
    .waitFor();
  await shot(page, 'data-2-catalog-applied');

  // Import a file: a progress bar to 100%, then its summary.
  await page.getByLabel('Sales files to import').setInputFiles(sales.ndjson);
  await page
    .getByRole('region', { name: /^Import \d/ })
    .getByText(/succeeded: 3,000 records/)
    .waitFor({ timeout: 60_000 });
  assert.equal(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow'), '100');
  await shot(page, 'data-3-imported');

  // Lake → Quarantine: the unknown products, replayed.
  await page.getByRole('link', { name: 'Lake' }).click();
  await page.getByRole('tab', { name: 'Quarantine records' }).click();
  await page.getByLabel('Quarantine reason').selectOption('unknown_product');
  await page.getByRole('button', { name: 'Show' }).click();
  const table = page.getByRole('table', { name: 'Quarantine records' });
  const rowsAre = (n: number) =>
    page.waitForFunction(
      (want) => document.querySelectorAll('table[aria-label="Quarantine records"] tbody tr').length === want,
      n,
      { timeout: 30_000 },
    );
  await rowsAre(unknown);
  assert.ok((await table.locator('tbody tr').allTextContents()).every((r) => r.includes('unknown_product')));
  await page.getByRole('button', { name: 'Replay open records' }).click();
  const done = page.getByRole('status').filter({ hasText: /^Replay / });
  await done.waitFor({ timeout: 120_000 });
  assert.match((await done.textContent()) ?? '', new RegExp(`${unknown} validated again; ${unknown} to silver`));
  assert.match((await done.textContent()) ?? '', /ETL succeeded/);
  await page.getByLabel('Quarantine reason').selectOption('');
  await page.getByLabel('Quarantine state').selectOption('replayed');
  await page.getByRole('button', { name: 'Show' }).click();
  await rowsAre(unknown);
  assert.ok((await table.locator('tbody tr').allTextContents()).every((r) => /replay-.*\.parquet/.test(r)));
  await shot(page, 'data-4-quarantine-replayed');

  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  await shot(page, 'data-5-quarantine-other-theme');
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await inForce
    .or(page.getByText(/35 products/))
    .first()
    .waitFor();
  await shot(page, 'data-6-other-theme');
  assert.deepEqual(errors, []);
});
