import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PinnedChart, QueryResult } from '../../../engine/contract';
import { HostCallError } from '../api/hostError';
import { fakeHost, render } from '../testing/harness';
import { Dashboard } from './Dashboard';

vi.mock('../components/Chart', async (original) => ({
  ...(await original<typeof import('../components/Chart')>()),
  Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}));

const PIN: PinnedChart = {
  id: 'p1',
  title: 'Revenue by city',
  sql: 'SELECT city, revenue FROM t',
  chart: { type: 'bar', x: 'city', y: ['revenue'] },
  money: ['revenue'],
  refreshSeconds: 30,
  pinnedAt: 0,
};
const answer = (revenue: string): QueryResult => ({ columns: ['city', 'revenue'], rows: [['Cairo', revenue]] });

/** Lets timers of `ms` and the promises they start run, on the fake clock. */
const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

afterEach(() => {
  vi.useRealTimers();
});

describe('Dashboard', () => {
  it('refreshes each pinned chart on its interval while shown, says when, and stops when the page closes', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 10, 0, 0) });
    let n = 0;
    let fail = false;
    const { api, calls } = fakeHost({
      'dashboard.pins': () => ({ items: [PIN], problem: null }),
      'warehouse.query': () => {
        n++;
        if (fail)
          throw new HostCallError({
            code: 'warehouse_failed',
            message: 'relation "t" does not exist',
            retriable: false,
          });
        return answer(String(n * 10));
      },
      'warehouse.cancel': () => ({ cancelled: false }),
    });
    const page = await render(<Dashboard />, api, 'dashboard');
    await advance(0);
    const tile = () => page.el.querySelector('section[aria-label="Revenue by city"]')!;
    const state = () => tile().querySelector('[role="status"]')!.textContent;
    expect(page.el.querySelector('[role="img"]')!.getAttribute('aria-label')).toBe('Chart of revenue by city');
    expect(state()).toBe('refreshed 10:00:00');
    expect(calls.filter(([c]) => c === 'warehouse.query')[0][1]).toMatchObject({ sql: PIN.sql, limit: 1000 });

    await advance(29_000);
    expect(n).toBe(1);
    await advance(1_000);
    expect(n).toBe(2);
    expect(state()).toBe('refreshed 10:00:30');

    // A failed refresh is said on its tile; the last result stays, said to be older.
    fail = true;
    await advance(30_000);
    expect(state()).toBe('failed 10:01:00');
    expect(tile().querySelector('[role="alert"]')!.textContent).toBe(
      'relation "t" does not exist (showing the result of 10:00:30)',
    );
    expect(tile().querySelector('[role="img"]')).not.toBeNull();

    page.unmount();
    const before = n;
    await advance(120_000);
    expect(n).toBe(before);
  });

  it('drops an answer that comes after the page closed and a newer refresh started, and cancels its query', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 10, 0, 0) });
    const pending: ((r: QueryResult) => void)[] = [];
    const { api, calls } = fakeHost({
      'dashboard.pins': () => ({ items: [PIN], problem: null }),
      'warehouse.query': () => new Promise<QueryResult>((resolve) => pending.push(resolve)),
      'warehouse.cancel': () => ({ cancelled: true }),
    });
    const page = await render(<Dashboard />, api, 'dashboard');
    await advance(0);
    expect(pending).toHaveLength(1);
    const slowId = (calls.find(([c]) => c === 'warehouse.query')![1] as { queryId: string }).queryId;
    act(() => [...page.el.querySelectorAll('button')].find((b) => b.textContent === 'Refresh now')!.click());
    // "Refresh now" is disabled while one runs; the interval's own refresh is what overtakes here.
    expect(pending).toHaveLength(1);
    page.unmount();
    expect(calls.find(([c]) => c === 'warehouse.cancel')![1]).toEqual({ queryId: slowId });
    const again = await render(<Dashboard />, api, 'dashboard', { stores: page });
    await advance(0);
    expect(pending).toHaveLength(2);
    pending[1](answer('200'));
    await advance(0);
    pending[0](answer('100')); // the first, cancelled refresh answers late
    await advance(0);
    expect(again.el.querySelector('table')).toBeNull();
    expect(again.ui.getState().dashboard.tiles.p1.result!.rows[0][1]).toBe('200');
    again.unmount();
  });

  it('says when nothing is pinned, and where to pin', async () => {
    const { api } = fakeHost({ 'dashboard.pins': () => ({ items: [], problem: null }) });
    const page = await render(<Dashboard />, api, 'dashboard');
    await act(async () => undefined);
    expect(page.el.textContent).toContain('Nothing pinned yet');
    expect(page.el.querySelector('a[href="#/warehouse"]')).not.toBeNull();
    page.unmount();
  });
});
