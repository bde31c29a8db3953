import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { EtlRunView, EtlScheduleView } from '../../../engine/contract';
import { fakeHost, render, settle } from '../testing/harness';
import { Etl } from './Etl';

// happy-dom has no canvas: the trend is drawn in Chromium (e2e/operatorViews.test.ts); here its place.
vi.mock('../components/Chart', async (original) => ({
  ...(await original<typeof import('../components/Chart')>()),
  Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}));

const run: EtlRunView = {
  runId: 'etl-2026-11-29T13-14-24-111Z-fcb36505',
  trigger: 'scheduled',
  rerunOf: null,
  startedAt: Date.UTC(2026, 10, 29, 13, 14, 24),
  finishedAt: Date.UTC(2026, 10, 29, 13, 14, 26),
  status: 'succeeded',
  files: 8,
  rowsInserted: 5487,
  rowsSkipped: 12,
  goldFiles: null,
  durationMs: 2400,
  error: null,
  hasLog: true,
};
const cron: EtlScheduleView = {
  everyMinutes: null,
  cron: '30 2 * * 1-5',
  timeZone: 'UTC',
  description: 'weekdays at 02:30',
  nextRunAt: Date.UTC(2026, 10, 30, 2, 30),
  lastRunAt: null,
  problem: null,
};

describe('ETL page', () => {
  it('shows the schedule in force when it arrives after the first render, writing nothing on mount', async () => {
    let answer!: (s: EtlScheduleView) => void;
    const { api, calls } = fakeHost({
      'etl.runs': () => [run],
      'etl.schedule': () => new Promise<EtlScheduleView>((r) => (answer = r)),
    });
    const { el, unmount } = await render(<Etl />, api, 'etl');
    await settle();
    const kind = el.querySelector<HTMLSelectElement>('select[aria-label="Schedule kind"]')!;
    expect(kind.value).toBe('every');
    await act(async () => answer(cron));
    await settle();
    expect(kind.value).toBe('cron');
    expect(el.querySelector<HTMLInputElement>('input[aria-label="Schedule expression"]')!.value).toBe('30 2 * * 1-5');
    expect(el.querySelector('[aria-label="Schedule in force"]')!.textContent).toBe(
      'Scheduled weekdays at 02:30 in UTC; next run 2026-11-30 02:30:00; times in UTC. Kept across restarts.',
    );
    // Only reads: the schedule is set by the user's click, never by the page showing it.
    expect(calls.every(([, req]) => JSON.stringify(req) === '{}' || JSON.stringify(req) === '{"limit":100}')).toBe(
      true,
    );
    unmount();
  });

  it('lists each run with its trigger and formatted figures, and opens a run without files with a sentence', async () => {
    const { api, calls } = fakeHost({
      'etl.runs': () => [
        {
          ...run,
          runId: 'etl-2026-11-29T13-14-24-111Z-0badf00d',
          files: 0,
          rowsInserted: 0,
          rowsSkipped: 0,
          status: 'failed',
          error: 'boom',
        },
        run,
      ],
      'etl.schedule': () => ({ ...cron, cron: null, timeZone: null, description: null, nextRunAt: null }),
      'etl.runLog': (q) => ({
        run: { ...run, runId: q.runId },
        log: [{ at: run.startedAt, level: 'error', message: 'failed: boom' }],
        files: [],
      }),
    });
    const { el, unmount } = await render(<Etl />, api, 'etl');
    await settle();
    const rows = [...el.querySelectorAll('table[aria-label="ETL run history"] tbody tr')].map((r) =>
      [...r.querySelectorAll('td')].map((c) => c.textContent),
    );
    expect(rows[1].slice(1, 7)).toEqual(['scheduled', 'succeeded', '2.4 s', '8', '5,487', '12']);
    expect(el.querySelector('[aria-label="Schedule in force"]')!.textContent).toBe('No schedule.');
    await act(async () =>
      el.querySelector<HTMLButtonElement>('button[aria-label="Log of the run started 2026-11-29 13:14:24"]')!.click(),
    );
    await settle();
    expect(calls.some(([name]) => name === 'etl.runLog')).toBe(true);
    expect(el.textContent).toContain('13:14:24 failed: boom');
    expect(el.textContent).toContain('This run loaded no silver file.');
    unmount();
  });

  it("says a run found nothing to load instead of '0/0 (100%)', and counts files and rows of one that did", async () => {
    const { api } = fakeHost({ 'etl.runs': () => [run], 'etl.schedule': () => cron });
    const { el, app, unmount } = await render(<Etl />, api, 'etl');
    const line = () => el.querySelector('.progress-block p')!.textContent;
    const base = { runId: run.runId, filesDone: 0, filesTotal: 0, rowsDone: 0, rowsTotal: 0 };
    await act(async () => app.setState({ etlProgress: { ...base, phase: 'done' } }));
    expect(line()).toBe('done: no silver file was waiting to load');
    await act(async () =>
      app.setState({
        etlProgress: { ...base, phase: 'loading', filesDone: 3, filesTotal: 8, rowsDone: 12_000, rowsTotal: 40_000 },
      }),
    );
    expect(line()).toBe('loading: files 3/8, rows 12,000/40,000 (30%)');
    unmount();
  });
});
