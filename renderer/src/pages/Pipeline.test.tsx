import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { CommandName, LakeCounts, LakeOffsets, ProducerSettings } from '../../../engine/contract';
import { applyStatus } from '../store/appStore';
import { fakeHost, render, settle } from '../testing/harness';
import { Pipeline } from './Pipeline';

const inForce: ProducerSettings = {
  rate: 1500,
  seed: 42,
  faults: { malformed: 0, invalid: 0, late: 0.02, duplicate: 0 },
};
const offsets: LakeOffsets = {
  lakeId: 'lake-1',
  lake: 'embedded folder',
  group: 'retail-pulse-lake-1',
  groupFrom: 'lake',
  topic: 'sales_transactions',
  partitions: [],
  notices: [],
  summary: '',
  at: 0,
};
const counts: LakeCounts = {
  bronze: { records: 123456, files: 40 },
  silver: { lines: 250000, files: 40 },
  quarantine: { records: 2469, files: 12 },
  at: 0,
};

function host() {
  let settings = inForce;
  return fakeHost({
    'producer.settings': () => settings,
    'producer.configure': (q) =>
      (settings = { ...settings, rate: q.rate ?? settings.rate, faults: { ...settings.faults, ...q.faults } }),
    'services.status': () => [],
    'lake.counts': () => counts,
    'stream.offsets': () => offsets,
  });
}

/** Commands that only read the state in force: the page may call these on mount, and nothing else. */
const READS = new Set<CommandName>([
  'producer.settings',
  'services.status',
  'lake.counts',
  'stream.offsets',
  'stage.list',
]);

const input = (el: HTMLElement, label: string) => el.querySelector<HTMLInputElement>(`input[aria-label="${label}"]`)!;

/** What React's onChange sees when a user types into a controlled input. */
function type(el: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('Pipeline page', () => {
  it('shows the rate and faults in force and writes nothing on mount', async () => {
    const { api, calls } = host();
    const page = await render(<Pipeline />, api, 'pipeline', { bind: true });
    await settle(600);
    const names = calls.map(([n]) => n);
    expect(names.filter((n) => !READS.has(n))).toEqual([]);
    expect(names).toContain('producer.settings');
    expect(input(page.el, 'Producer rate (transactions per second)').value).toBe('1500');
    expect(input(page.el, 'Producer rate').value).toBe('1500');
    const late = [...page.el.querySelectorAll('label.switch')].find((l) => l.textContent?.includes('Late events'))!;
    expect(late.querySelector('input')!.checked).toBe(true);
    page.unmount();
  });

  it('sends one change after the user stops typing, and follows changes made elsewhere', async () => {
    const { api, calls, emit } = host();
    const page = await render(<Pipeline />, api, 'pipeline', { bind: true });
    await settle();
    type(input(page.el, 'Producer rate (transactions per second)'), '2000');
    await settle(600);
    expect(calls.filter(([n]) => n === 'producer.configure')).toEqual([['producer.configure', { rate: 2000 }]]);
    await emit('producer.settings', { ...inForce, rate: 800 });
    expect(input(page.el, 'Producer rate (transactions per second)').value).toBe('800');
    page.unmount();
  });

  it('shows durable lake counts, and no rate for a stopped stage', async () => {
    const { api } = host();
    const page = await render(<Pipeline />, api, 'pipeline', { bind: true });
    await settle();
    act(() =>
      applyStatus(page.app, {
        stage: 'producer',
        state: 'stopped',
        counters: { rate: 500, records: 99 },
        error: null,
        updatedAt: 1,
      }),
    );
    const node = (title: string) => page.el.querySelector(`section[aria-label="${title}"]`)!.textContent;
    expect(node('Bronze')).toContain('records123,456');
    expect(node('Quarantine')).toContain('records2,469');
    expect(node('Producer')).toContain('rate–');
    expect(node('Producer')).toContain('records99');
    page.unmount();
  });
});
