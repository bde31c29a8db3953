import type { Browser, Page } from 'playwright-core';

/**
 * The app at `route` in a new 1360×900 context of `browser`, in `timezoneId`, once it is connected
 * to the Host. Page errors are collected in `errors`; CSP violations in `window.cspViolations`.
 */
export async function openApp(
  browser: Browser,
  url: string,
  route: string,
  timezoneId = 'Africa/Cairo',
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, timezoneId });
  await context.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}#/${route}`);
  await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 60_000 });
  return { page, errors };
}
