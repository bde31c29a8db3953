import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { CompactionProgress, CompactionResult } from '../../../engine/contract';
import { HostCallError } from '../api/hostError';
import { fakeHost, render, settle } from '../testing/harness';
import { CompactionPanel } from './CompactionPanel';

const layer = (filesIn: number, filesOut: number, bytesIn: number, bytesOut: number, rows: number) => ({
  folders: filesOut ? 1 : 0,
  filesIn,
  filesOut,
  bytesIn,
  bytesOut,
  rows,
});
const last: CompactionResult = {
  runId: 'compact-1',
  status: 'succeeded',
  dryRun: false,
  startedAt: Date.parse('2026-03-01T10:15:00Z'),
  durationMs: 4200,
  layers: {
    bronze: layer(2880, 1, 82_000_000, 70_000_000, 1_800_000),
    silver: layer(2880, 1, 78_000_000, 66_000_000, 4_100_000),
    quarantine: layer(0, 0, 0, 0, 0),
  },
  cleaned: 5760,
  pendingCleanup: 2,
  orphans: 0,
  waiting: 190,
  skipped: [],
  notes: ['the warehouse did not answer: silver is compacted once the ETL has loaded it, so it waits'],
};
const progress: CompactionProgress = {
  runId: 'compact-2',
  phase: 'merging',
  foldersDone: 1,
  foldersTotal: 4,
  filesDone: 2880,
  filesTotal: 11_520,
  bytesDone: 50 << 20,
  bytesTotal: 200 << 20,
  folder: 'silver/sales_lines/date=2026-03-01/hour=09/',
};

function setInput(input: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
const click = (el: HTMLElement, name: string) =>
  act(() => [...el.querySelectorAll('button')].find((b) => b.textContent === name)!.click());

describe("the Lake page's compaction panel", () => {
  it('reads what is in force (writes nothing on mount) and shows the last run per layer, formatted', async () => {
    const { api, calls } = fakeHost({
      'compaction.status': () => ({
        schedule: { everyMinutes: 60, nextRunAt: Date.parse('2026-03-01T11:00:00Z') },
        running: null,
        last,
      }),
    });
    const page = await render(<CompactionPanel />, api, 'lake');
    await settle();
    expect(calls.map(([n]) => n)).toEqual(['compaction.status']);
    expect(page.el.querySelector<HTMLInputElement>('[aria-label="Compaction schedule minutes"]')!.value).toBe('60');
    expect(page.el.querySelector('[aria-label="Compaction schedule"]')!.textContent).toBe(
      'every 60 min, next at 11:00:00 (UTC)',
    );
    const table = page.el.querySelector('[aria-label="Compaction by layer"]')!.textContent!;
    expect(table).toContain('2,880');
    expect(table).toContain('74.4 MB');
    expect(table).toContain('4,100,000');
    expect(page.el.textContent).toContain('5,760 replaced files deleted');
    expect(page.el.textContent).toContain('silver is compacted once the ETL has loaded it');
    page.unmount();
  });

  it('runs now with progress, shows the plan apart, and says a refused schedule beside its field', async () => {
    const { api, calls, emit } = fakeHost({
      'compaction.status': () => ({ schedule: { everyMinutes: null, nextRunAt: null }, running: null, last: null }),
      'compaction.run': (q) => ({ ...last, runId: 'compact-3', dryRun: !!q.dryRun }),
      'compaction.schedule': (q) => {
        if (q.everyMinutes === 0)
          throw new HostCallError({
            code: 'config_invalid',
            message:
              'the compaction schedule must be a whole number of minutes from 1 to 10080 (a week), or off; got 0',
            retriable: false,
            field: 'everyMinutes',
          });
        return { everyMinutes: q.everyMinutes ?? null, nextRunAt: 0 };
      },
    });
    const page = await render(<CompactionPanel />, api, 'lake');
    await settle();
    expect(page.el.querySelector('[aria-label="Compaction schedule"]')!.textContent).toBe('runs only when asked');

    emit('compaction.progress', progress);
    const bar = page.el.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(page.el.textContent).toContain('merging: 1 of 4 hours, 2,880 of 11,520 files, 50.0 MB of 200.0 MB');
    expect([...page.el.querySelectorAll('button')].find((b) => b.textContent === 'Compact now')!.disabled).toBe(true);

    emit('compaction.progress', { ...progress, phase: 'done' });
    await settle();
    expect(page.el.querySelector('[role="progressbar"]')).toBeNull();
    click(page.el, 'Show plan');
    await settle();
    expect(calls.at(-1)).toEqual(['compaction.run', { dryRun: true }]);
    expect(page.el.querySelector('[aria-label="Compaction plan by layer"]')).not.toBeNull();
    expect(page.el.textContent).toContain('Plan (nothing written)');
    click(page.el, 'Compact now');
    await settle();
    expect(calls.at(-1)).toEqual(['compaction.run', { dryRun: false }]);
    expect(page.el.querySelector('[aria-label="Compaction by layer"]')).not.toBeNull();

    const minutes = page.el.querySelector<HTMLInputElement>('[aria-label="Compaction schedule minutes"]')!;
    setInput(minutes, 'hourly');
    click(page.el, 'Set compaction schedule');
    await settle();
    expect(page.el.querySelector('#compaction-schedule-error')!.textContent).toContain('whole number of minutes');
    expect(calls.some(([n]) => n === 'compaction.schedule')).toBe(false);
    setInput(minutes, '0');
    click(page.el, 'Set compaction schedule');
    await settle();
    expect(minutes.getAttribute('aria-invalid')).toBe('true');
    expect(page.el.querySelector('#compaction-schedule-error')!.textContent).toContain('got 0');
    setInput(minutes, '30');
    click(page.el, 'Set compaction schedule');
    await settle();
    expect(page.el.querySelector('#compaction-schedule-error')).toBeNull();
    expect(page.el.querySelector('[aria-label="Compaction schedule"]')!.textContent).toMatch(/^every 30 min/);
    page.unmount();
  });
});
