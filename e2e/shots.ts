import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** Where every browser test writes its screenshots (looked at by people, asserted by no one). */
export const SHOTS = path.resolve('e2e/screenshots');

/** The page as a user sees it: fonts loaded and two frames drawn (charts draw without animation). */
async function painted(page: Page): Promise<void> {
  await page.evaluate(() =>
    document.fonts.ready.then(
      () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
    ),
  );
}

/** A full-page shot from the top (a scrolled page draws its sticky header where it was scrolled to). */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await painted(page);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** The page in the theme it has (`<name>-<theme>.png`), then in the other, then back. */
export async function shotBoth(page: Page, name: string): Promise<void> {
  const toggle = page.getByRole('button', { name: /Switch to (light|dark) theme/ });
  for (let i = 0; i < 2; i++) {
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    await shot(page, `${name}-${theme}`);
    await toggle.click();
  }
}
