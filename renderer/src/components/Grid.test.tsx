import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import { Grid } from './Grid';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

describe('Grid', () => {
  it('renders a labelled table with a header, rows, nulls shown and a row count', () => {
    const el = document.createElement('div');
    document.body.append(el);
    const root = createRoot(el);
    act(() =>
      root.render(
        <Grid
          label="Query results"
          result={{
            columns: ['city', 'revenue'],
            rows: [
              ['Cairo', 12.345],
              ['Giza', null],
            ],
          }}
        />,
      ),
    );
    const table = el.querySelector('table[aria-label="Query results"]')!;
    expect([...table.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['city', 'revenue']);
    expect([...table.querySelectorAll('tbody tr')].map((tr) => tr.textContent)).toEqual(['Cairo12.35', 'Giza∅']);
    expect(el.textContent).toContain('2 rows');
    act(() => root.unmount());
  });
});
