import { describe, expect, it } from 'vitest';
import { fakeHost, render } from '../testing/harness';
import { Grid } from './Grid';

describe('Grid', () => {
  it('right-aligns money and numbers with separators and EGP, shows nulls, times in the zone, and a row count', async () => {
    const { api } = fakeHost({});
    const { el, unmount } = await render(
      <Grid
        label="Query results"
        result={{
          columns: ['city', 'revenue', 'units', 'store_id', 'at'],
          rows: [
            ['Cairo', '1234567.50', 12345, 7, '2026-03-01T10:15:00.123456Z'],
            ['Giza', null, 3.5, 12, '2026-03-01T23:59:59Z'],
          ],
        }}
      />,
      api,
    );
    const table = el.querySelector('table[aria-label="Query results"]')!;
    expect([...table.querySelectorAll('th')].map((th) => th.textContent)).toEqual([
      'city',
      'revenue',
      'units',
      'store_id',
      'at',
    ]);
    const cells = [...table.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => [td.textContent, td.className]),
    );
    expect(cells[0]).toEqual([
      ['Cairo', ''],
      ['EGP\u00a01,234,567.50', 'num'],
      ['12,345', 'num'],
      ['7', 'num'],
      ['2026-03-01 10:15:00', ''],
    ]);
    expect(cells[1].map(([t]) => t)).toEqual(['Giza', '∅', '3.50', '12', '2026-03-01 23:59:59']);
    expect(el.textContent).toContain('2 rows');
    expect(el.textContent).toContain('times in UTC');
    unmount();
  });

  it('says which rows of a paged result it shows and that more follow', async () => {
    const { api } = fakeHost({});
    const rows = Array.from({ length: 1000 }, (_, i) => [i + 1001]);
    const { el, unmount } = await render(
      <Grid label="Query results" result={{ columns: ['n'], rows, more: true, offset: 1000 }} />,
      api,
    );
    expect(el.textContent).toContain('rows 1,001–2,000, more follow');
    unmount();
  });
});
