/**
 * `npm run bench:ui [-- --seconds S] [--rate R]`: measures, does not assert.
 * 1. Launch to first useful paint in web mode: spawn of `npm run serve` → server listening →
 *    page navigation → the Pipeline page drawn with the Host's stage states (connected).
 * 2. Frame time of the Live page while data streams in (producer + stream running) for S seconds
 *    (default 600: a 10-minute window), from requestAnimationFrame deltas.
 * Needs `npm run build` first.
 */
import { parseArgs } from 'node:util';
import { launchBrowser, startWebMode } from './webMode';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '600' }, rate: { type: 'string', default: '2000' } },
});
const seconds = Number(values.seconds);

const browser = await launchBrowser();
// Browser-side code goes as strings: tsx's transform adds helpers (__name) the page does not have.
const FCP = "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1";

/** Spawn → listening → navigation → the Pipeline page showing the Host's stage states. */
async function firstPaint(label: string, web: Awaited<ReturnType<typeof startWebMode>>) {
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
  const navStart = Date.now();
  await page.goto(web.url);
  await page.getByRole('status', { name: 'connected to the host' }).waitFor({ timeout: 120_000 });
  const navToUseful = Date.now() - navStart;
  const fcp = Number(await page.evaluate(FCP));
  console.log(
    `first paint, ${label}: spawn→listening ${web.listeningMs} ms; navigation→first contentful paint ${Math.round(fcp)} ms; navigation→useful (stage states from the Host) ${navToUseful} ms; launch→useful ${web.listeningMs + navToUseful} ms`,
  );
  return page;
}

// A new data dir (PGlite creates its cluster), then a second launch on the same dir (the usual case).
const cold = await startWebMode({ keep: true });
await (await firstPaint('new data dir', cold)).context().close();
await cold.stop();
const web = await startWebMode({ dataDir: cold.dataDir });
try {
  const page = await firstPaint('existing data dir', web);

  await page.getByRole('spinbutton', { name: 'Producer rate (transactions per second)' }).fill(values.rate!);
  await page.getByRole('button', { name: 'Start stream' }).click();
  await page.getByRole('button', { name: 'Start producer' }).click();
  await page.getByRole('link', { name: 'Live' }).click();
  await page.evaluate(`(() => {
    window.frames_ = []; window.long_ = [];
    let last = performance.now();
    const loop = (t) => { window.frames_.push(t - last); last = t; requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.long_.push(e.duration))).observe({ type: 'longtask' });
  })()`);
  const report = async (label: string) => {
    const { frames, long, points } = (await page.evaluate(
      `({ frames: window.frames_.splice(0), long: window.long_.splice(0), points: Number(document.querySelector('[aria-label="Revenue per store per minute"]')?.getAttribute('data-points')) })`,
    )) as { frames: number[]; long: number[]; points: number };
    frames.sort((a, b) => a - b);
    const q = (p: number) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))]?.toFixed(1);
    const mean = frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length);
    console.log(
      `${label}: ${frames.length} frames, mean ${mean.toFixed(1)} ms (${(1000 / mean).toFixed(0)} fps), p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${frames.at(-1)?.toFixed(0)} ms; long tasks ${long.length}; store-chart points ${points}`,
    );
  };
  const step = Math.min(60, seconds);
  for (let t = step; t <= seconds; t += step) {
    await page.waitForTimeout(step * 1000);
    await report(`Live page, ${t} s into the stream`);
  }
  await page.getByRole('link', { name: 'Pipeline' }).click();
  await page.getByRole('button', { name: 'Stop producer' }).click();
  await page.getByRole('button', { name: 'Stop stream' }).click();
} finally {
  await browser.close();
  await web.stop();
}
process.exit(0);
