import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { QueryPreset, QueryResult } from '../../../engine/contract';
import { HostCallError } from '../api/hostError';
import { chartData, defaultChart } from '../components/ResultChart';
import { fakeHost, render, settle } from '../testing/harness';
import { Warehouse } from './Warehouse';

const TOP: QueryPreset = {
  id: 'top_products',
  title: 'Top 10 products by revenue',
  sql: 'SELECT product_name, category, units, revenue FROM t',
  chart: { type: 'bar', x: 'product_name', y: ['revenue'] },
  money: ['revenue'],
};
const TOP_ROWS: QueryResult = {
  columns: ['product_name', 'category', 'units', 'revenue'],
  rows: [
    ['Olive Oil 1L', 'Pantry', 900, '45000.00'],
    ['Rice 5kg', 'Pantry', 1200, '36000.50'],
  ],
  more: false,
  offset: 0,
};

// echarts needs a canvas, which happy-dom lacks; the chart's container and its name are what is checked
// here (the browser session checks a real chart).
vi.mock('../components/Chart', async (original) => ({
  ...(await original<typeof import('../components/Chart')>()),
  Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}));

const click = (el: HTMLElement, name: string) =>
  act(() => [...el.querySelectorAll('button')].find((b) => b.textContent === name)!.click());

describe('result charts', () => {
  it("plot the preset's declared columns, not the first numeric one", () => {
    expect(chartData(TOP_ROWS, TOP.chart!)!.series).toEqual([{ name: 'revenue', data: [45000, 36000.5] }]);
    // Unguided, the first numeric column would have been units: the declaration is what fixes it.
    expect(defaultChart(TOP_ROWS)!.y).toEqual(['units']);
  });

  it('split y into one series per value of a series column, keeping x in first-seen order', () => {
    const r: QueryResult = {
      columns: ['city', 'category', 'revenue'],
      rows: [
        ['Cairo', 'Dairy', 10],
        ['Cairo', 'Bakery', 5],
        ['Giza', 'Dairy', 7],
      ],
    };
    expect(chartData(r, { type: 'bar', x: 'city', y: ['revenue'], series: 'category' })).toEqual({
      categories: ['Cairo', 'Giza'],
      series: [
        { name: 'Dairy', data: [10, 7] },
        { name: 'Bakery', data: [5, null] },
      ],
      rowsShown: 3,
    });
  });
});

describe('Warehouse page', () => {
  it('runs a preset with its chart of revenue, keeps the result across navigation, and a failed query clears it', async () => {
    let fail = false;
    const { api, calls } = fakeHost({
      'warehouse.presets': () => [TOP],
      'warehouse.schema': () => ({ tables: [], at: 0 }),
      'sqlLab.saved': () => ({ items: [], problem: null }),
      'sqlLab.history': () => ({ items: [], problem: null }),
      'warehouse.query': () => {
        if (fail)
          throw new HostCallError({
            code: 'warehouse_failed',
            message: 'column "nope" does not exist',
            retriable: false,
          });
        return TOP_ROWS;
      },
    });
    const page = await render(<Warehouse />, api, 'warehouse');
    await settle();
    click(page.el, 'Top 10 products by revenue');
    await settle();
    expect(calls.find(([n]) => n === 'warehouse.query')![1]).toMatchObject({ limit: 1000, offset: 0 });
    const chart = page.el.querySelector('[role="img"]');
    expect(chart?.getAttribute('aria-label')).toBe('Chart of revenue by product_name');
    const money = page.el.querySelector('table[aria-label="Query results"] tbody td:last-child')!;
    expect(money.textContent).toBe('EGP\u00a045,000.00');
    expect(money.className).toBe('num');

    // Another page and back: a new component on the same stores.
    page.unmount();
    const back = await render(<Warehouse />, api, 'warehouse', { stores: page });
    await settle();
    expect(back.el.querySelectorAll('table[aria-label="Query results"] tbody tr')).toHaveLength(2);

    fail = true;
    click(back.el, 'Run query');
    await settle();
    expect(back.el.querySelector('table[aria-label="Query results"]')).toBeNull();
    const alert = back.el.querySelector('#warehouse-sql-error')!;
    expect(alert.textContent).toContain('column "nope" does not exist');
    // CodeMirror loads with the page (a chunk of its own).
    for (let i = 0; i < 50 && !back.el.querySelector('.cm-content'); i++) await settle(20);
    const editor = back.el.querySelector('[role="textbox"][aria-label="Warehouse SQL"]')!;
    expect(editor.getAttribute('aria-invalid')).toBe('true');
    expect(editor.getAttribute('aria-describedby')).toBe('warehouse-sql-error');
    back.unmount();
  });
});
