import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Metrics, MetricsBatch, WindowDelta, WindowView } from './port';
import { latencyBucket, latencyQuantile, WINDOW_MS } from './windows';

/**
 * What the stream stage, the host's snapshots and the pipeline summary rely on from a metrics
 * store, whichever adapter holds it. Each adapter's test runs this against a fresh store per test.
 */
export function metricsContract(
  label: string,
  open: () => Promise<{ metrics: Metrics; cleanup: () => Promise<void> }>,
): void {
  const withStore = (fn: (m: Metrics) => Promise<void>) => async () => {
    const { metrics, cleanup } = await open();
    try {
      await fn(metrics);
    } finally {
      await cleanup();
    }
  };

  describe(`metrics contract: ${label}`, () => {
    it(
      'starts empty',
      withStore(async (m) => {
        assert.deepEqual(await m.windows(0), []);
        assert.deepEqual(await m.totals(), {
          transactions: 0,
          revenueCents: 0,
          lateRecords: 0,
          lateRevenueCents: 0,
          latency: {},
          applied: {},
          since: {},
          oldestWindow: null,
          newestWindow: null,
        });
      }),
    );

    it(
      'builds windows exactly: cents, per store, category and product',
      withStore(async (m) => {
        const a = sampleBatch(0, 0, 99, 1);
        const b = sampleBatch(0, 100, 180, 7);
        assert.equal(await m.apply(a), true);
        assert.equal(await m.apply(b), true);
        assert.deepEqual(await m.windows(0), expectedViews([a, b]));
      }),
    );

    it(
      'keeps cents exact past 32 bits and past float-friendly values',
      withStore(async (m) => {
        const big = 2 ** 40 + 1;
        const w: WindowDelta = {
          start: T0,
          transactions: 1,
          lines: 1,
          revenueCents: big,
          byStore: { '1': { transactions: 1, revenueCents: big } },
          byCategory: { Dairy: big },
          byProduct: { '101': { quantity: 1, revenueCents: big } },
        };
        for (let i = 0; i < 3; i++) await m.apply(batchOf(0, i, i, [w]));
        const [view] = await m.windows(0);
        assert.equal(view.revenueCents, 3 * big);
        assert.equal(view.byCategory.Dairy, 3 * big);
        assert.equal((await m.totals()).revenueCents, 3 * big);
      }),
    );

    it(
      'ignores a repeated or older batch of a partition (a replay after a crash)',
      withStore(async (m) => {
        const first = sampleBatch(2, 0, 49, 3);
        assert.equal(await m.apply(first), true);
        const before = { windows: await m.windows(0), totals: await m.totals() };
        assert.equal(await m.apply(first), false, 'the same batch again');
        assert.equal(await m.apply(sampleBatch(2, 10, 30, 4)), false, 'an older range');
        assert.equal(await m.apply(sampleBatch(2, 40, 49, 5)), false, 'a range ending where the applied one ended');
        assert.deepEqual(await m.windows(0), before.windows);
        assert.deepEqual(await m.totals(), before.totals);
        assert.equal(await m.apply(sampleBatch(2, 50, 50, 6)), true, 'the next offset');
        assert.equal((await m.totals()).applied['2'], 50);
      }),
    );

    it(
      'adds up batches of different partitions, each with its own applied offset',
      withStore(async (m) => {
        const batches = [
          sampleBatch(0, 0, 9, 1),
          sampleBatch(1, 0, 4, 2),
          sampleBatch(0, 10, 19, 3),
          sampleBatch(3, 0, 0, 4),
        ];
        for (const b of batches) assert.equal(await m.apply(b), true);
        assert.equal(await m.apply(sampleBatch(1, 0, 4, 9)), false);
        assert.deepEqual(await m.windows(0), expectedViews(batches));
        const t = await m.totals();
        assert.deepEqual(t.applied, { 0: 19, 1: 4, 3: 0 });
        assert.equal(t.transactions, sum(batches.flatMap((b) => b.windows.map((w) => w.transactions))));
        assert.equal(t.revenueCents, sum(batches.flatMap((b) => b.windows.map((w) => w.revenueCents))));
      }),
    );

    it(
      'windows(since) returns windows starting at or after since, oldest first, each a minute long',
      withStore(async (m) => {
        const starts = [5, 1, 3, 2, 4].map((k) => T0 + k * WINDOW_MS);
        for (const [i, start] of starts.entries()) await m.apply(batchOf(0, i, i, [tinyWindow(start, 100 + i)]));
        const since = T0 + 3 * WINDOW_MS;
        const views = await m.windows(since);
        assert.deepEqual(
          views.map((w) => w.start),
          [since, since + WINDOW_MS, since + 2 * WINDOW_MS],
        );
        for (const w of views) assert.equal(w.end, w.start + WINDOW_MS);
        assert.deepEqual(
          (await m.windows(since + 1)).map((w) => w.start),
          [since + WINDOW_MS, since + 2 * WINDOW_MS],
        );
        assert.deepEqual(await m.windows(T0 + 6 * WINDOW_MS), []);
        assert.equal((await m.windows(0)).length, 5);
      }),
    );

    it(
      'says where it started counting each partition, and the starts of its oldest and newest windows',
      withStore(async (m) => {
        // A store that starts empty while the log already holds offsets 0-119: it counts from 120.
        await m.apply(batchOf(0, 120, 129, [tinyWindow(T0 + 2 * WINDOW_MS, 5)]));
        await m.apply(batchOf(0, 130, 139, [tinyWindow(T0, 7)]));
        await m.apply(batchOf(0, 100, 125, [tinyWindow(T0 - WINDOW_MS, 9)]));
        await m.apply(batchOf(3, 0, 4, []));
        const t = await m.totals();
        assert.deepEqual(t.since, { 0: 120, 3: 0 }, 'the first batch applied, not a later or refused one');
        assert.deepEqual(t.applied, { 0: 139, 3: 4 });
        assert.equal(t.oldestWindow, T0, 'a refused batch adds no window');
        assert.equal(t.newestWindow, T0 + 2 * WINDOW_MS);
      }),
    );

    it(
      'totals count transactions, revenue, late records and the latency histogram',
      withStore(async (m) => {
        const a = sampleBatch(0, 0, 9, 1);
        a.late = { records: 3, revenueCents: 4_599 };
        a.latency = { [latencyBucket(40)]: 9, [latencyBucket(900)]: 1 };
        const b = sampleBatch(1, 0, 9, 2);
        b.late = { records: 1, revenueCents: 1 };
        b.latency = { [latencyBucket(40)]: 90 };
        await m.apply(a);
        await m.apply(b);
        const t = await m.totals();
        assert.equal(t.transactions, sum([...a.windows, ...b.windows].map((w) => w.transactions)));
        assert.equal(t.revenueCents, sum([...a.windows, ...b.windows].map((w) => w.revenueCents)));
        assert.equal(t.lateRecords, 4);
        assert.equal(t.lateRevenueCents, 4_600);
        assert.deepEqual(t.latency, { [latencyBucket(40)]: 99, [latencyBucket(900)]: 1 });
        assert.ok(Math.abs(latencyQuantile(t.latency, 0.5)! - 40) <= 4);
        assert.ok(Math.abs(latencyQuantile(t.latency, 0.999)! - 900) <= 90);
        assert.deepEqual(t.applied, { 0: 9, 1: 9 });
      }),
    );

    it(
      'applies a batch of only late records: totals move, no window appears',
      withStore(async (m) => {
        assert.equal(
          await m.apply({
            partition: 0,
            firstOffset: 0,
            lastOffset: 4,
            windows: [],
            late: { records: 5, revenueCents: 1_250 },
            latency: {},
          }),
          true,
        );
        assert.deepEqual(await m.windows(0), []);
        const t = await m.totals();
        assert.equal(t.lateRecords, 5);
        assert.equal(t.lateRevenueCents, 1_250);
        assert.deepEqual(t.applied, { 0: 4 });
      }),
    );

    it(
      'hands out copies: changing a returned window or totals changes nothing stored',
      withStore(async (m) => {
        await m.apply(sampleBatch(0, 0, 9, 1));
        const [w] = await m.windows(0);
        w.revenueCents = -1;
        w.byStore['1'].revenueCents = -1;
        const t = await m.totals();
        t.applied['0'] = -5;
        assert.notEqual((await m.windows(0))[0].revenueCents, -1);
        assert.notEqual((await m.windows(0))[0].byStore['1'].revenueCents, -1);
        assert.equal((await m.totals()).applied['0'], 9);
      }),
    );

    it(
      'keeps the newest 24 h of windows',
      withStore(async (m) => {
        const keep = 24 * 60;
        const windows = Array.from({ length: keep + 5 }, (_, k) => tinyWindow(T0 + k * WINDOW_MS, 1));
        await m.apply(batchOf(0, 0, 0, windows.slice(0, 700)));
        await m.apply(batchOf(0, 1, 1, windows.slice(700)));
        const views = await m.windows(0);
        assert.equal(views.length, keep);
        assert.equal(views[0].start, T0 + 5 * WINDOW_MS);
        assert.equal(views[views.length - 1].start, T0 + (keep + 4) * WINDOW_MS);
        assert.equal((await m.totals()).transactions, keep + 5, 'totals keep counting what was evicted');
        assert.equal((await m.totals()).oldestWindow, T0 + 5 * WINDOW_MS, 'the oldest window kept');
      }),
    );

    it(
      'reset clears windows, totals and applied offsets',
      withStore(async (m) => {
        const a = sampleBatch(0, 0, 9, 1);
        await m.apply(a);
        await m.reset();
        assert.deepEqual(await m.windows(0), []);
        assert.deepEqual(await m.totals(), {
          transactions: 0,
          revenueCents: 0,
          lateRecords: 0,
          lateRevenueCents: 0,
          latency: {},
          applied: {},
          since: {},
          oldestWindow: null,
          newestWindow: null,
        });
        assert.equal(await m.apply(a), true, 'offsets start over');
        assert.deepEqual(await m.windows(0), expectedViews([a]));
      }),
    );
  });
}

/** A window start well inside the retained range, on a minute boundary. */
const T0 = Date.UTC(2025, 0, 6, 9, 0);

const STORES = ['1', '2', '7', '12'];
const CATEGORIES = ['Bakery', 'Dairy', 'Groceries', 'Crème & Frais: Deli'];
const PRODUCTS = ['101', '102', '112', '134'];

/** A deterministic batch over three windows with cents that do not round to whole pounds. */
export function sampleBatch(partition: number, first: number, last: number, seed: number): MetricsBatch {
  const windows = [0, 1, 3].map((k) => {
    const w: WindowDelta = {
      start: T0 + k * WINDOW_MS,
      transactions: 0,
      lines: 0,
      revenueCents: 0,
      byStore: {},
      byCategory: {},
      byProduct: {},
    };
    for (let i = 0; i < 6; i++) {
      const cents = 1_999 + 37 * seed + 101 * i + 13 * k;
      const store = STORES[(seed + i + k) % STORES.length];
      const product = PRODUCTS[(seed * 3 + i) % PRODUCTS.length];
      const category = CATEGORIES[(seed + 2 * i) % CATEGORIES.length];
      w.transactions++;
      w.lines += 2;
      w.revenueCents += cents;
      const s = (w.byStore[store] ??= { transactions: 0, revenueCents: 0 });
      s.transactions++;
      s.revenueCents += cents;
      w.byCategory[category] = (w.byCategory[category] ?? 0) + cents;
      const p = (w.byProduct[product] ??= { quantity: 0, revenueCents: 0 });
      p.quantity += 1 + (i % 3);
      p.revenueCents += cents;
    }
    return w;
  });
  return {
    partition,
    firstOffset: first,
    lastOffset: last,
    windows,
    late: { records: 0, revenueCents: 0 },
    latency: { [latencyBucket(40 + seed)]: 6 },
  };
}

function batchOf(partition: number, first: number, last: number, windows: WindowDelta[]): MetricsBatch {
  return {
    partition,
    firstOffset: first,
    lastOffset: last,
    windows,
    late: { records: 0, revenueCents: 0 },
    latency: {},
  };
}

function tinyWindow(start: number, cents: number): WindowDelta {
  return {
    start,
    transactions: 1,
    lines: 1,
    revenueCents: cents,
    byStore: { '1': { transactions: 1, revenueCents: cents } },
    byCategory: { Bakery: cents },
    byProduct: { '101': { quantity: 1, revenueCents: cents } },
  };
}

/** The windows the batches add up to, computed independently of any adapter. */
function expectedViews(batches: MetricsBatch[]): WindowView[] {
  const byStart = new Map<number, WindowView>();
  for (const d of batches.flatMap((b) => b.windows)) {
    const w = byStart.get(d.start) ?? {
      start: d.start,
      end: d.start + WINDOW_MS,
      transactions: 0,
      lines: 0,
      revenueCents: 0,
      byStore: {},
      byCategory: {},
      byProduct: {},
    };
    byStart.set(d.start, w);
    w.transactions += d.transactions;
    w.lines += d.lines;
    w.revenueCents += d.revenueCents;
    for (const [k, v] of Object.entries(d.byStore)) {
      const s = (w.byStore[k] ??= { transactions: 0, revenueCents: 0 });
      s.transactions += v.transactions;
      s.revenueCents += v.revenueCents;
    }
    for (const [k, v] of Object.entries(d.byCategory)) w.byCategory[k] = (w.byCategory[k] ?? 0) + v;
    for (const [k, v] of Object.entries(d.byProduct)) {
      const p = (w.byProduct[k] ??= { quantity: 0, revenueCents: 0 });
      p.quantity += v.quantity;
      p.revenueCents += v.revenueCents;
    }
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

function sum(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}
