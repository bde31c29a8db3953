import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Lineage, MetricsRange, ReconciliationReport } from '../../../engine/contract';
import { setReconcile } from '../store/reconcileState';
import { fakeHost, render, settle } from '../testing/harness';
import { LiveControls } from './LiveControls';
import { Reconciliation } from './Reconciliation';

const T = Date.UTC(2026, 2, 1, 10, 15);
const row = { lines: null, revenue: null, files: null, newest: null, newestOf: null, note: null, error: null };
const report: ReconciliationReport = {
  at: T,
  tookMs: 84,
  topic: 'sales_transactions',
  layers: [
    { ...row, layer: 'log', records: 4961, from: "the log's end offsets" },
    { ...row, layer: 'bronze', records: 4961, files: 8, newest: T, newestOf: 'arrival', from: 'Parquet footers' },
    {
      ...row,
      layer: 'warehouse',
      records: null,
      error: { code: 'warehouse_failed', message: 'cannot connect to postgres://u:***@db', retriable: true },
      from: 'fact_sales',
    },
  ],
  partitions: [
    {
      partition: 0,
      earliest: 100,
      end: 1742,
      lake: 1742,
      bronze: 1642,
      holes: [{ from: 0, to: 99, records: 100, retention: true }],
      inFlight: 0,
      unread: 0,
      windowsSince: 100,
      windowsApplied: 1741,
      problem: null,
    },
  ],
  backlog: null,
  checks: [
    {
      id: 'log_bronze',
      title: 'Log → bronze: every record of the log is in the lake',
      unit: 'records',
      left: { label: 'records in the log', value: 1742 },
      right: { label: 'records in bronze', value: 1642 },
      difference: 100,
      explained: [{ kind: 'retention', amount: 100, text: 'retention removed 100 records before this lake read them' }],
      unexplained: 0,
      state: 'explained',
      note: null,
    },
    {
      id: 'silver_windows',
      title: 'Silver → live windows: revenue, on time and late',
      unit: 'EGP',
      left: { label: 'silver revenue', value: 1031650 },
      right: { label: 'windows revenue + late revenue', value: 1031640.5 },
      difference: 9.5,
      explained: [],
      unexplained: 9.5,
      state: 'unexplained',
      note: 'another lake writing to the same Redis prefix would show here',
    },
  ],
  streamRunning: false,
};
const raw = { transaction_id: 'tx-1', store_id: 3, products: [{ product_id: 101, quantity: 2, unit_price: 21 }] };
const lineage: Lineage = {
  storeId: 3,
  storeName: 'Alexandria Corniche',
  minute: T,
  silver: { sales: 2, lines: 3, revenue: 99.5, files: 1 },
  window: { transactions: 1, revenue: 42 },
  sales: [
    {
      transactionId: 'tx-1',
      eventTime: T + 1000,
      customerId: 'cust_1',
      total: 42,
      lines: [
        {
          lineNo: 1,
          productId: 101,
          productName: 'Juhayna Milk 1L',
          category: 'Dairy',
          quantity: 2,
          unitPrice: 21,
          amount: 42,
        },
      ],
      silverFile: 'silver/sales_lines/date=2026-03-01/hour=10/1-0-9.parquet',
      origin: 'stream',
      ingestedAt: T + 2000,
      partition: 1,
      offset: 7,
      bronze: { brokerTime: T + 1500, key: '3', value: JSON.stringify(raw), file: 'bronze/x/1-0-9.parquet' },
    },
  ],
  more: true,
  notes: ['silver holds 1 more sales (EGP 57.50) than the window counted'],
  tookMs: 31,
};

const button = (el: HTMLElement, text: string | RegExp) =>
  [...el.querySelectorAll('button')].find((b) =>
    typeof text === 'string' ? b.textContent === text : text.test(b.textContent ?? ''),
  )!;

function type(el: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

afterEach(() => vi.useRealTimers());
/** Text as a reader sees it: money's no-break space as a space. */
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\u00a0/g, ' ');

describe('Reconciliation page', () => {
  it('shows every layer, where it is read from, each check and its explanation; reads only on mount', async () => {
    const { api, calls } = fakeHost({ 'reconcile.report': () => report });
    const page = await render(<Reconciliation />, api, 'reconciliation');
    await settle();
    expect(calls.map(([c]) => c)).toEqual(['reconcile.report']);
    const layers = page.el.querySelector('table[aria-label="Layers side by side"]')!;
    expect(layers.textContent).toContain('Bronze4,961–');
    expect(layers.textContent).toContain('2026-03-01 10:15:00 (arrival)');
    expect(layers.textContent).toContain('cannot connect to postgres://u:***@db');
    const checks = [...page.el.querySelectorAll('ul[aria-label="Checks"] > li')];
    expect(checks.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Log → bronze: every record of the log is in the lake: explained',
      'Silver → live windows: revenue, on time and late: not explained',
    ]);
    expect(text(checks[0])).toContain('100 records: retention removed 100 records');
    expect(text(checks[1])).toContain('difference EGP 9.50');
    expect(text(checks[1])).toContain('EGP 9.50 not explained');
    expect(page.el.querySelector('[aria-label="ETL backlog"]')!.textContent).toContain(
      'unknown: the warehouse did not answer',
    );
    expect(page.el.querySelector('table[aria-label="Per partition"]')!.textContent).toContain('0–99 (100, retention)');
    page.unmount();
  });

  it('traces a minute asked for from the Live page, and shows a sale’s raw record', async () => {
    const { api, calls } = fakeHost({ 'reconcile.report': () => report, 'lineage.minute': () => lineage });
    const page = await render(<Reconciliation />, api, 'reconciliation', {});
    act(() => setReconcile(page.ui, { trace: { storeId: 3, minute: T } }));
    await settle();
    expect(calls.filter(([c]) => c === 'lineage.minute')).toEqual([
      ['lineage.minute', { storeId: 3, minute: T, limit: 50 }],
    ]);
    const summary = text(page.el.querySelector('[aria-label="Lineage summary"]'));
    expect(summary).toContain('silver holds 2 sales, 3 lines, EGP 99.50 in 1 file');
    expect(summary).toContain('the live window counted 1 sales, EGP 42.00');
    expect(page.el.textContent).toContain('1 of 2 sales shown');
    act(() => button(page.el, 'Show records of tx-1').click());
    expect(page.el.querySelector('pre.raw-record')!.textContent).toBe(JSON.stringify(raw, null, 2));
    expect(page.el.textContent).toContain('partition 1 offset 7, key 3');
    expect(text(page.el)).toContain('line 1: 2 × Juhayna Milk 1L (Dairy) at EGP 21.00 = EGP 42.00');
    page.unmount();
  });

  it('refuses a minute that is not one, where it was typed, and calls nothing', async () => {
    const { api, calls } = fakeHost({ 'reconcile.report': () => report, 'lineage.minute': () => lineage });
    const page = await render(<Reconciliation />, api, 'reconciliation');
    await settle();
    const minute = page.el.querySelector<HTMLInputElement>('input[aria-label="Lineage minute"]')!;
    const store = page.el.querySelector<HTMLInputElement>('input[aria-label="Lineage store"]')!;
    type(store, '3');
    type(minute, 'yesterday at ten');
    act(() => button(page.el, 'Trace').click());
    await settle();
    expect(page.el.querySelector('#lineage-error')!.textContent).toMatch(/type the minute as YYYY-MM-DD HH:MM in UTC/);
    expect(minute.getAttribute('aria-invalid')).toBe('true');
    type(minute, '2026-03-01 10:15');
    act(() => button(page.el, 'Trace').click());
    await settle();
    expect(calls.filter(([c]) => c === 'lineage.minute')).toEqual([
      ['lineage.minute', { storeId: 3, minute: T, limit: 50 }],
    ]);
    expect(page.el.querySelector('#lineage-error')).toBeNull();
    page.unmount();
  });
});

const answer = (minutes: number, stores: number[] | null = null): MetricsRange => ({
  minutes,
  from: T - minutes * 60_000,
  to: T,
  at: T,
  windows: [],
  sources: [
    { from: T - minutes * 60_000, to: T - 5 * 60_000, source: 'silver' },
    { from: T - 5 * 60_000, to: T, source: 'windows' },
  ],
  stores,
  breakdown: null,
  note: null,
  names: { stores: { '1': 'Cairo Downtown', '2': 'Giza Mall' }, products: {} },
});

describe('Live controls', () => {
  it('reads the range of each choice, drops an answer to an older one, and says where minutes come from', async () => {
    const pending: [number, (r: MetricsRange) => void][] = [];
    const { api, calls } = fakeHost({
      'metrics.range': (q) => new Promise<MetricsRange>((resolve) => pending.push([q.minutes, resolve])),
    });
    const page = await render(<LiveControls />, api, 'live');
    await settle();
    const select = (label: string, value: string) => {
      const el = page.el.querySelector<HTMLSelectElement>(`select[aria-label="${label}"]`)!;
      act(() => {
        el.value = value;
        el.dispatchEvent(new Event('change', { bubbles: true }));
      });
    };
    select('Time range', '180');
    await settle();
    expect(calls).toEqual([
      ['metrics.range', { minutes: 15 }],
      ['metrics.range', { minutes: 180 }],
    ]);
    pending[1][1](answer(180));
    await settle();
    pending[0][1](answer(15)); // the first choice answers last
    await settle();
    expect(page.live.getState().range!.minutes).toBe(180);
    const status = page.el.querySelector('[aria-label="Where the minutes come from"]')!;
    expect(status.textContent).toBe('minutes before 10:10 from silver, then the live windows');
    select('Store filter', '2');
    await settle();
    expect(calls.at(-1)).toEqual(['metrics.range', { minutes: 180, stores: [2] }]);
    page.unmount();
  });

  it('reads again every 15 s while auto-refresh is on, not while it is off, and once on "Refresh now"', async () => {
    vi.useFakeTimers({ now: T });
    const { api, calls } = fakeHost({ 'metrics.range': (q) => answer(q.minutes) });
    const page = await render(<LiveControls />, api, 'live');
    const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
    await advance(0);
    await advance(30_000);
    expect(calls.length).toBe(3);
    const auto = page.el.querySelector<HTMLInputElement>('input[role="switch"]')!;
    act(() => auto.click());
    await advance(60_000);
    expect(calls.length).toBe(3);
    expect(page.el.querySelector('[aria-label="Where the minutes come from"]')!.textContent).toContain(
      'paused at 10:15:30',
    );
    act(() => button(page.el, 'Refresh now').click());
    await advance(0);
    expect(calls.length).toBe(4);
    page.unmount();
  });
});
