import { CompletionContext, type CompletionSource } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type {
  PinnedChart,
  QueryPreset,
  QueryResult,
  SavedQuery,
  SqlHistoryEntry,
  WarehouseSchema,
} from '../../../../engine/contract';
import { fakeHost, render, settle } from '../../testing/harness';
import { Warehouse } from '../../pages/Warehouse';
import { sqlLanguage } from './editorSetup';

vi.mock('../Chart', async (original) => ({
  ...(await original<typeof import('../Chart')>()),
  Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}));

// happy-dom fires selectionchange inside Selection.collapse, while CodeMirror is still updating;
// browsers fire it as a later task. Deliver it as a browser would.
const dispatch = document.dispatchEvent.bind(document);
document.dispatchEvent = (e: Event) => {
  if (e.type !== 'selectionchange') return dispatch(e);
  setTimeout(() => dispatch(e));
  return true;
};

export const SCHEMA: WarehouseSchema = {
  at: 0,
  tables: [
    {
      schema: 'public',
      name: 'dim_store',
      kind: 'table',
      columns: [
        { name: 'store_id', type: 'integer' },
        { name: 'city', type: 'text' },
      ],
    },
    {
      schema: 'public',
      name: 'fact_sales',
      kind: 'table',
      columns: [
        { name: 'store_id', type: 'integer' },
        { name: 'line_amount', type: 'numeric(12,2)' },
      ],
    },
  ],
};

/** What the editor offers at the "|" in `doc`, as Ctrl+Space would ask for it. */
async function completions(doc: string): Promise<string[]> {
  const pos = doc.indexOf('|');
  const state = EditorState.create({ doc: doc.replace('|', ''), extensions: [sqlLanguage(SCHEMA)] });
  const labels: string[] = [];
  for (const source of state.languageDataAt<CompletionSource>('autocomplete', pos)) {
    const r = await source(new CompletionContext(state, pos, true));
    if (r) labels.push(...r.options.map((o) => o.label));
  }
  return labels;
}

describe('completion', () => {
  it("offers the reader's tables, and only those", async () => {
    const offered = await completions('SELECT * FROM |');
    expect(offered).toEqual(expect.arrayContaining(['fact_sales', 'dim_store']));
    expect(offered).not.toContain('load_manifest');
  });

  it('offers bare column names of the tables the statement reads, and every column before it names one', async () => {
    const inFact = await completions('SELECT line| FROM fact_sales');
    expect(inFact).toContain('line_amount');
    expect(inFact).not.toContain('city');
    expect(await completions('SELECT ci| FROM dim_store s JOIN fact_sales f USING (store_id)')).toEqual(
      expect.arrayContaining(['city', 'line_amount', 'store_id']),
    );
    expect(await completions('SELECT ci|')).toEqual(expect.arrayContaining(['city', 'line_amount']));
    // After "alias." lang-sql offers that table's columns.
    const qualified = await completions('SELECT s.| FROM dim_store s');
    expect(qualified).toEqual(['store_id', 'city']);
  });
});

const RESULT: QueryResult = {
  columns: ['city', 'revenue'],
  rows: [
    ['Cairo', '100.50'],
    ['Giza', '80.00'],
  ],
  more: false,
  offset: 0,
};
const PRESET: QueryPreset = {
  id: 'by_city',
  title: 'Revenue by city',
  sql: 'SELECT city, revenue FROM t',
  chart: { type: 'bar', x: 'city', y: ['revenue'] },
  money: ['revenue'],
};

function labHost() {
  let saved: SavedQuery[] = [];
  let pins: PinnedChart[] = [];
  const history: SqlHistoryEntry[] = [
    { id: 'h1', sql: 'SELECT city FROM dim_store', at: 0, ms: 12, outcome: 'ok', rows: 12, more: false, error: null },
  ];
  const host = fakeHost({
    'warehouse.presets': () => [PRESET],
    'warehouse.schema': () => SCHEMA,
    'warehouse.query': () => RESULT,
    'sqlLab.history': () => ({ items: history, problem: null }),
    'sqlLab.saved': () => ({ items: saved, problem: null }),
    'sqlLab.save': (q) => {
      saved = [{ id: 's1', name: q.name.trim(), sql: q.sql, savedAt: 0 }];
      return { items: saved, problem: null };
    },
    'dashboard.pin': (q) => {
      pins = [{ id: 'p1', pinnedAt: 0, ...q }];
      return { items: pins, problem: null };
    },
  });
  return host;
}

/** The Warehouse page once CodeMirror (a chunk of its own) has loaded. */
async function warehousePage(api: Parameters<typeof render>[1]) {
  const page = await render(<Warehouse />, api, 'warehouse');
  for (let i = 0; i < 50 && !page.el.querySelector('.cm-content'); i++) await settle(20);
  return page;
}

const button = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll('button')].find((b) => b.textContent === name || b.getAttribute('aria-label') === name)!;

describe('SQL lab on the Warehouse page', () => {
  it('Ctrl+Enter in the editor runs its text as a lab run, kept in the history', async () => {
    const { api, calls } = labHost();
    const page = await warehousePage(api);
    const content = page.el.querySelector<HTMLElement>('[role="textbox"][aria-label="Warehouse SQL"]')!;
    const view = EditorView.findFromDOM(content)!;
    act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: 'SELECT city FROM dim_store' } }));
    expect(page.ui.getState().warehouse.sql).toBe('SELECT city FROM dim_store');
    act(() => {
      content.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', ctrlKey: true, bubbles: true }),
      );
    });
    await settle();
    const run = calls.filter(([n]) => n === 'warehouse.query');
    expect(run).toHaveLength(1);
    expect(run[0][1]).toMatchObject({ sql: 'SELECT city FROM dim_store', offset: 0, history: true });
    expect(page.el.querySelectorAll('table[aria-label="Query results"] tbody tr')).toHaveLength(2);
    page.unmount();
  });

  it('saves the editor text under a name, opens a run from the history, and inserts a column from the schema', async () => {
    const { api, calls } = labHost();
    const page = await warehousePage(api);
    const view = EditorView.findFromDOM(page.el.querySelector<HTMLElement>('.cm-content')!)!;

    act(() => button(page.el, 'Saved (0)').click());
    const name = page.el.querySelector<HTMLInputElement>('input[aria-label="Saved query name"]')!;
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(name, ' Revenue ');
      name.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => button(page.el, 'Save query').click());
    await settle();
    expect(calls.find(([n]) => n === 'sqlLab.save')![1]).toEqual({
      name: ' Revenue ',
      sql: page.ui.getState().warehouse.sql,
    });
    expect(page.el.querySelector('[role="status"]')!.textContent).toBe('Saved "Revenue".');
    expect(button(page.el, 'Saved (1)')).toBeTruthy();

    act(() => button(page.el, 'History (1)').click());
    act(() => button(page.el, 'Open the query run at 1970-01-01 00:00:00').click());
    expect(view.state.doc.toString()).toBe('SELECT city FROM dim_store');

    act(() => button(page.el, 'Schema').click());
    act(() => button(page.el, 'fact_sales (table, 2 columns)').click());
    // The text opened from the history leaves the cursor at the start: the name goes there.
    act(() => button(page.el, 'Insert column line_amount').click());
    expect(view.state.doc.toString()).toBe('line_amountSELECT city FROM dim_store');
    page.unmount();
  });

  it("pins the result's chart with its SQL, money columns and refresh to the Dashboard", async () => {
    const { api, calls } = labHost();
    const page = await warehousePage(api);
    act(() => button(page.el, 'Revenue by city').click());
    await settle();
    const select = page.el.querySelector<HTMLSelectElement>('select[aria-label="Dashboard refresh"]')!;
    act(() => {
      select.value = '300';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    act(() => button(page.el, 'Pin to Dashboard').click());
    await settle();
    expect(calls.find(([n]) => n === 'dashboard.pin')![1]).toEqual({
      title: 'Revenue by city',
      sql: PRESET.sql,
      chart: PRESET.chart,
      money: ['revenue'],
      refreshSeconds: 300,
    });
    expect(page.el.querySelector('.pin-chart [role="status"]')!.textContent).toContain('Pinned "Revenue by city"');
    expect(page.ui.getState().dashboard.pins!.items).toHaveLength(1);
    page.unmount();
  });
});
