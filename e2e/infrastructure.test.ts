/**
 * The Infrastructure page in web mode on the real Docker engine: start a compose stack by clicking,
 * watch containers' CPU and memory arrive, stop and start one service and see it in its health
 * history, read why a job failed, and stop the stack. Screenshots (dark and light) go to
 * e2e/screenshots/. Needs `npm run build` first (npm test does it).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureTestImage } from '../engine/infra/testing/testImage';
import { leftovers, removeProject } from '../engine/infra/testing/testStack';
import { launchBrowser, startWebMode } from './webMode';

const SHOTS = path.resolve('e2e/screenshots');
const COMPOSE = fileURLToPath(new URL('../engine/infra/testdata/ui/compose.yml', import.meta.url));

test(
  'the Infrastructure page runs a compose stack and shows its containers’ use and health',
  { timeout: 300_000 },
  async (t) => {
    fs.mkdirSync(SHOTS, { recursive: true });
    ensureTestImage();
    const project = `rp-ui-${process.pid}`;
    t.after(() => removeProject(project));
    const web = await startWebMode({ env: { RETAIL_PULSE_COMPOSE_FILE: COMPOSE, COMPOSE_PROJECT_NAME: project } });
    t.after(() => web.stop());
    const browser = await launchBrowser();
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(web.url);
    await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Infrastructure' }).click();
    const containers = page.getByRole('table', { name: 'Containers' });
    const row = (service: string) =>
      containers.getByRole('row').filter({ has: page.getByRole('rowheader', { name: service, exact: true }) });
    await row('db').getByText('missing').waitFor();

    await page.getByRole('button', { name: 'Start stack' }).click();
    await page
      .getByRole('list', { name: 'Stack progress' })
      .getByText(/service\(s\) up in/)
      .waitFor({ timeout: 60_000 });
    await row('app').getByText('healthy').waitFor({ timeout: 30_000 });
    // CPU and memory of the running containers, sampled by the Host every 2 s while the page listens.
    await row('db')
      .getByText(/^\d+\.\d %$/)
      .waitFor({ timeout: 15_000 });
    assert.match(
      (await row('db').locator('td').nth(3).innerText()).trim(),
      /^\d+(\.\d)? (KiB|MiB) \/ \d+(\.\d+)? (MiB|GiB)$/,
    );

    // One service stopped and started: its health history shows the gap.
    await page.getByRole('button', { name: 'Stop db' }).click();
    await row('db')
      .getByText(/^exited/)
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Start db' }).click();
    await row('db').getByText('healthy').waitFor({ timeout: 30_000 });
    const history = page.getByRole('img', { name: /^Health history of db:/ });
    await page.waitForFunction(() =>
      /exited at .*(starting|healthy) at /.test(
        document.querySelector('[aria-label^="Health history of db:"]')?.getAttribute('aria-label') ?? '',
      ),
    );
    assert.match((await history.getAttribute('aria-label'))!, /healthy at .*exited at .*/);
    assert.ok((await page.getByRole('list', { name: 'Last health checks of db' }).getByRole('listitem').count()) > 0);

    // The job that fails after start: why, in its own words, where it happened.
    const why = page.getByRole('alert', { name: 'Why report stopped' });
    await why.waitFor({ timeout: 30_000 });
    assert.match(
      await why.innerText(),
      /report exited with code 2; its last lines:\n(.|\n)*error: cannot reach warehouse at db:5432/,
    );

    await page.waitForTimeout(2500);
    for (let i = 0; i < 2; i++) {
      const theme = await page.evaluate(() => document.documentElement.dataset.theme);
      await page.screenshot({ path: path.join(SHOTS, `infrastructure-${theme}.png`), fullPage: true });
      if (i === 0) await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
      await page.waitForTimeout(300);
    }

    await page.getByRole('button', { name: 'Stop stack' }).click();
    await row('app').getByText('missing').waitFor({ timeout: 60_000 });
    assert.deepEqual(leftovers(project), []);
    assert.deepEqual(errors, []);
  },
);
