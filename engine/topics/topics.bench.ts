/**
 * npm run bench:topics -- [--records N] [--kafka] [--browser]
 * The Topics page's figures on a topic of N sales (default 1,000,000): a search by transaction id
 * over the log alone (nothing in the lake yet: the fallback scan) and once the stream has written
 * the lake (silver and quarantine columns, the chosen index), against the alternative of matching
 * bronze's raw values; a page of 100 messages through the Host; with --browser, the same page in
 * Chromium (web mode, click to rows drawn; needs `npm run build`). Medians of 3 (pages: of 20).
 * --kafka puts the topic on the test Kafka 4.4 (npm run services:test -- up kafka). Prints peak RSS.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig, type EngineConfig } from '../config';
import { Host } from '../host';
import { importFiles } from '../ingest/importFiles';
import { openDuck, sqlList } from '../services/lake/duck';
import { LAYERS } from '../services/lake/keys';
import { openLake } from '../services/open';
import { testService } from '../testing/realServices';
import { writeSalesFiles } from '../testing/salesFiles';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    kafka: { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
  },
});
const records = Number(values.records);
let peakRss = 0;
let phaseRss = 0;
const sampler = setInterval(() => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  phaseRss = Math.max(phaseRss, rss);
}, 100);
const mb = (bytes: number) => `${Math.round(bytes / 1048576).toLocaleString('en-US')} MB`;
/** Peak RSS since the last phase began (the process: the Host and its workers' threads). */
let phaseFrom = process.memoryUsage().rss;
function phasePeak(): string {
  const now = process.memoryUsage().rss;
  const said = `peak RSS ${mb(Math.max(phaseRss, now))} (${mb(phaseFrom)} at the start of this step)`;
  phaseRss = phaseFrom = now;
  return said;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')} ms`;
async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-topics-bench-'));
const config: EngineConfig = resolveConfig({
  dataDir: path.join(dir, 'data'),
  ...(values.kafka ? { kafka: testService('kafka'), topic: `bench-${Date.now()}` } : {}),
});
console.log(
  `topics bench: ${records.toLocaleString('en-US')} sales on ${values.kafka ? `Kafka ${testService('kafka')}` : 'the embedded log'}; load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

const files = writeSalesFiles(path.join(dir, 'sales'), {
  count: records,
  seed: 7,
  from: Date.now() - 3_600_000,
  stepMs: 1,
  only: ['ndjson'],
  keepIds: true,
});
// Ids at the start, the middle and the end of the file, and one that is nowhere.
const ids = [0, Math.floor(records / 2), records - 1].map((i) => files.ids[i]);
files.ids.length = 0;
// A random id, not one of zeros: that sorts below every row group's minimum, which DuckDB skips unread.
const absent = randomUUID();
const imported = await importFiles(config, [files.ndjson]);
console.log(
  `imported ${imported.records.toLocaleString('en-US')} records in ${ms(imported.durationMs)}; ${phasePeak()}`,
);

const host = await Host.open(config, { waitForWarehouse: false });
const search = (id: string) => host.call('topics.search', { transactionId: id });
try {
  // 1. Nothing in the lake: the search scans the whole log (the fallback).
  await search(ids[1]);
  const logOnly = await timed(3, () => search(ids[1]));
  const logRecords = (await search(absent)).log.records;
  console.log(
    `search, log only (${logRecords.toLocaleString('en-US')} records scanned): median ${ms(median(logOnly))}; ${phasePeak()}`,
  );

  // 2. The stream writes the lake; then the lake answers and the log past it is empty.
  const t0 = performance.now();
  await host.call('stage.start', { stage: 'stream' });
  await host.drainStream();
  await host.call('stage.stop', { stage: 'stream' });
  console.log(`stream drained the topic into the lake in ${ms(performance.now() - t0)}; ${phasePeak()}`);
  const first = await search(ids[0]);
  console.log(`first search after the drain (the worker's DuckDB reads the footers): ${ms(first.ms)}`);
  for (const [label, id] of [
    ['first id', ids[0]],
    ['middle id', ids[1]],
    ['last id', ids[2]],
    ['absent id', absent],
  ] as const) {
    const runs = await timed(3, () => search(id));
    const r = await search(id);
    console.log(
      `search in the lake, ${label}: median ${ms(median(runs))} (${r.hits.length} hit; ${r.lake.files} files, lake ${ms(r.lake.ms)}, log past it ${r.log.records} records)`,
    );
  }

  console.log(`searches in the lake: ${phasePeak()}`);

  // The alternative not chosen: bronze's raw values, matched as text.
  const lake = await openLake(config);
  const duck = await openDuck({ threads: 2 });
  const bronze = await lake.localPaths(
    (await lake.list(LAYERS.bronze)).map((o) => o.key).filter((k) => k.endsWith('.parquet')),
  );
  const bronzeRuns = await timed(3, () =>
    duck.runAndReadAll(
      `SELECT source_partition, source_offset FROM read_parquet(${sqlList(bronze)}) WHERE contains(value, $1)`,
      [ids[1]],
    ),
  );
  console.log(
    `alternative, bronze value contains the id (${bronze.length} files): median ${ms(median(bronzeRuns))}; ${phasePeak()}`,
  );

  // 3. A page of 100 messages through the Host: the newest of every partition, and one partition at an offset.
  const newest = await timed(20, () => host.call('topics.read', {}));
  const at = await timed(20, () =>
    host.call('topics.read', { partition: 1, offset: Math.floor(Math.random() * (records / 5)) }),
  );
  console.log(
    `page of 100, the Host's call: newest of every partition median ${ms(median(newest))}, one partition at an offset median ${ms(median(at))}; ${phasePeak()}`,
  );
} finally {
  await host.close();
}

if (values.browser) {
  const { launchBrowser, startWebMode } = await import('../../e2e/webMode');
  const web = await startWebMode({
    dataDir: config.dataDir,
    keep: true,
    env: values.kafka ? { RETAIL_PULSE_KAFKA: testService('kafka'), RETAIL_PULSE_TOPIC: config.topic } : {},
  });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    await page.goto(`${web.url}#/topics`);
    await page.locator('table[aria-label="Messages of the topic"] tbody tr').nth(99).waitFor({ timeout: 120_000 });
    // Measured in the page: the click event → the rows replaced → the next frame painted.
    // Browser-side code goes as strings: tsx's transform adds helpers the page does not have.
    await page.evaluate(`(() => {
      window.pageTimes_ = [];
      let clicked = 0;
      document.addEventListener('click', () => (clicked = performance.now()), true);
      const body = () => document.querySelector('table[aria-label="Messages of the topic"] tbody');
      new MutationObserver(() => {
        if (!clicked || body().children.length < 100) return;
        const t = clicked;
        clicked = 0;
        requestAnimationFrame(() => requestAnimationFrame(() => window.pageTimes_.push(performance.now() - t)));
      }).observe(document.querySelector('main'), { childList: true, subtree: true, characterData: true });
    })()`);
    for (let i = 0; i < 10; i++) {
      await page.getByRole('button', { name: 'Older' }).click();
      // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
      // (Reflect.get: this file compiles without the DOM's types; globalThis is the page's window there.)
      await page.waitForFunction((n) => ((Reflect.get(globalThis, 'pageTimes_') as number[]) ?? []).length > n, i);
    }
    const clicks = (await page.evaluate('window.pageTimes_')) as number[];
    console.log(
      `page of 100 in Chromium (click on Older → 100 new rows painted): median ${ms(median(clicks))}, max ${ms(Math.max(...clicks))}`,
    );
  } finally {
    await browser.close();
    await web.stop();
  }
}
clearInterval(sampler);
console.log(`peak RSS of the bench process, all phases: ${mb(peakRss)}`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
