import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { TopicLag, TopicMessage, TopicPage, TopicSearchResult } from '../../../engine/contract';
import { HostCallError } from '../api/hostError';
import { fakeHost, render, settle } from '../testing/harness';
import { lagChart } from './topics/LagView';
import { Topics } from './Topics';

// echarts needs a canvas, which happy-dom lacks: the chart's options are checked through lagChart.
vi.mock('../components/Chart', async (original) => ({
  ...(await original<typeof import('../components/Chart')>()),
  Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}));

const msg = (partition: number, offset: number, value: string): TopicMessage => ({
  partition,
  offset,
  timestamp: Date.UTC(2026, 10, 29, 7, 0, offset),
  key: '3',
  value,
  bytes: value.length + 1,
});
const PAGE: TopicPage = {
  topic: 'sales_transactions',
  broker: 'embedded',
  partitions: [
    { partition: 0, earliest: 0, end: 10 },
    { partition: 1, earliest: 0, end: 0 },
  ],
  messages: [msg(0, 8, '{"transaction_id":"t-8","store_id":3}'), msg(0, 9, 'not json {')],
  start: [8, 0],
  next: [10, 0],
  ms: 4,
};
const LAG: TopicLag = {
  topic: 'sales_transactions',
  group: 'retail-pulse-abc',
  groupIs: 'stream',
  broker: 'kafka',
  state: 'Stable',
  trusted: 'lake',
  partitions: [
    { partition: 0, earliest: 0, end: 10, committed: 6, lag: 4, lake: 6, lakeLag: 4, member: 'm-1' },
    { partition: 1, earliest: 0, end: 0, committed: 0, lag: 0, lake: 0, lakeLag: 0, member: 'm-2' },
  ],
  members: [
    { memberId: 'm-1', clientId: 'retail-pulse', host: '/10.0.0.1', partitions: [0], lag: 4 },
    { memberId: 'm-2', clientId: 'retail-pulse', host: '/10.0.0.2', partitions: [1], lag: 0 },
  ],
  samples: [{ at: 1000, lag: [4, 0], lakeLag: [4, 0], end: [10, 0] }],
  error: null,
  at: 1000,
};
const FOUND: TopicSearchResult = {
  transactionId: 't-8',
  hits: [
    { partition: 0, offset: 8, place: 'silver', reason: null, replayed: false, message: PAGE.messages[0], from: 'log' },
    {
      partition: 0,
      offset: 12,
      place: 'quarantine',
      reason: 'duplicate_transaction',
      replayed: false,
      message: null,
      from: null,
    },
  ],
  lake: { through: [10, 0], files: 6, ms: 20 },
  log: { from: [10, 0], to: [13, 0], records: 3, ms: 1 },
  ms: 25,
};

const button = (el: HTMLElement, name: string | RegExp) =>
  [...el.querySelectorAll('button')].find((b) =>
    typeof name === 'string'
      ? b.textContent === name || b.getAttribute('aria-label') === name
      : name.test(b.textContent ?? ''),
  )!;
const input = (el: HTMLElement, label: string) => el.querySelector<HTMLInputElement>(`[aria-label="${label}"]`)!;
const type = (el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string) =>
  act(() => {
    const proto = Object.getPrototypeOf(el) as object;
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });

function host(over: Partial<Parameters<typeof fakeHost>[0]> = {}) {
  return fakeHost({
    'topics.read': () => PAGE,
    'topics.tail': (q) => ({
      following: q.follow ?? false,
      partition: q.follow ? (q.partition ?? null) : null,
      from: [10, 0],
    }),
    'topics.lag': () => LAG,
    'topics.search': () => FOUND,
    ...over,
  });
}

describe('Topics page', () => {
  it('reads what is in force on mount and writes nothing: the newest page, the tail state, the lag', async () => {
    const { api, calls } = host();
    const { el, unmount } = await render(<Topics />, api, 'topics');
    await settle();
    expect(calls.map(([name, req]) => [name, req])).toEqual([
      ['topics.read', { limit: 100 }],
      ['topics.tail', {}],
      ['topics.lag', {}],
    ]);
    expect(el.querySelector('[aria-label="Page"]')!.textContent).toMatch(
      /partition 0 holds 0–9, partition 1 is empty\. 2 messages of every partition, in the order they arrived/,
    );
    const rows = el.querySelectorAll('table[aria-label="Messages of the topic"] tbody tr');
    expect([...rows[0].querySelectorAll('td')].map((td) => td.textContent)).toEqual([
      '▸',
      '0',
      '8',
      '2026-11-29 07:00:08',
      '3',
      '38 B',
      '{"transaction_id":"t-8","store_id":3}',
    ]);
    // A row opens to its value, indented; a value that is not JSON says so.
    await act(async () => button(el, 'Show the value of 0@8').click());
    expect(el.querySelector('.topic-value')!.textContent).toBe('{\n  "transaction_id": "t-8",\n  "store_id": 3\n}');
    await act(async () => button(el, 'Show the value of 0@9').click());
    expect(el.textContent).toContain('Not JSON: shown as it is on the topic.');
    // The lag: the trusted offsets said, one row per partition, the members.
    expect(el.querySelector('[aria-label="Group state"]')!.textContent).toMatch(/trusts only them/);
    expect(el.querySelectorAll('table[aria-label="Group members"] tbody tr').length).toBe(2);
    unmount();
  });

  it('pages by offset, older and newer, and refuses an offset without a partition beside the browser', async () => {
    const { api, calls } = host();
    const { el, unmount } = await render(<Topics />, api, 'topics');
    await settle();
    await type(el.querySelector<HTMLSelectElement>('[aria-label="Start at"]')!, 'offset');
    await type(input(el, 'Offset'), '5');
    await act(async () => button(el, 'Show').click());
    expect(el.querySelector('[role="alert"]')!.textContent).toMatch(/choose the partition/);
    expect(calls.filter(([n]) => n === 'topics.read').length).toBe(1);
    await type(el.querySelector<HTMLSelectElement>('[aria-label="Partition"]')!, '0');
    await act(async () => button(el, 'Show').click());
    await settle();
    await act(async () => button(el, 'Older').click());
    await settle();
    expect(button(el, 'Newer').disabled).toBe(true);
    expect(calls.filter(([n]) => n === 'topics.read').map(([, r]) => r)).toEqual([
      { limit: 100 },
      { partition: 0, offset: 5, limit: 100 },
      { partition: 0, cursor: [8, 0], direction: 'before', limit: 100 },
    ]);
    unmount();
  });

  it('drops a page answer overtaken by a newer request (Older, then Show at once)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const older: TopicPage = { ...PAGE, messages: [msg(0, 1, '{"older":true}')], start: [1, 0], next: [2, 0] };
    const { api } = host({ 'topics.read': (q) => (q.direction === 'before' ? held.then(() => older) : PAGE) });
    const { el, unmount } = await render(<Topics />, api, 'topics');
    await settle();
    await act(async () => button(el, 'Older').click());
    await act(async () => button(el, 'Show').click());
    await settle();
    await act(async () => release());
    await settle();
    const offsets = [...el.querySelectorAll('table[aria-label="Messages of the topic"] tbody tr')].map(
      (r) => r.querySelectorAll('td')[2].textContent,
    );
    expect(offsets).toEqual(['8', '9']);
    unmount();
  });

  it('searches a transaction id and says where each record went; a failed search shows beside the box and clears the answer', async () => {
    let fail = false;
    const { api } = host({
      'topics.search': () => {
        if (fail) throw new HostCallError({ code: 'broker_io', message: 'Kafka is gone', retriable: true });
        return FOUND;
      },
    });
    const { el, unmount } = await render(<Topics />, api, 'topics');
    await settle();
    await type(input(el, 'Transaction id'), 't-8');
    await act(async () => button(el, 'Search').click());
    await settle();
    const result = el.querySelector('[aria-label="Search result"]')!.textContent!;
    expect(result).toMatch(/2 records with transaction id t-8/);
    expect(result).toMatch(/silver \(accepted\)/);
    expect(result).toMatch(/quarantine: duplicate_transaction/);
    expect(result).toMatch(/Neither the log nor bronze holds the record any more/);
    fail = true;
    await act(async () => button(el, 'Search').click());
    await settle();
    expect(el.querySelector('[aria-label="Search result"]')).toBeNull();
    expect(el.querySelector('section[aria-label="Find a transaction"] [role="alert"]')!.textContent).toMatch(
      /Kafka is gone/,
    );
    unmount();
  });

  it("follows the tail, newest first, pauses, follows its own partition (not the browser's), and pauses when the page is left", async () => {
    const { api, calls, emit } = host();
    const { el, unmount } = await render(<Topics />, api, 'topics');
    await settle();
    await act(async () => button(el, 'Follow').click());
    await settle();
    await emit('topics.tail', {
      messages: [msg(0, 10, '{"a":1}'), msg(0, 11, '{"a":2}')],
      skipped: 3,
      at: 1,
      error: null,
    });
    const rows = el.querySelectorAll('table[aria-label="Tail messages"] tbody tr');
    expect([...rows].map((r) => r.querySelectorAll('td')[2].textContent)).toEqual(['11', '10']);
    expect(el.querySelector('[aria-label="Tail state"]')!.textContent).toMatch(
      /following every partition.*3 more arrived/,
    );
    await act(async () => button(el, 'Pause').click());
    await settle();
    // The tail's partition is its own: choosing it leaves the browser's choice as it was.
    const pick = el.querySelector<HTMLSelectElement>('[aria-label="Tail partition"]')!;
    await type(pick, '1');
    await act(async () => button(el, 'Follow').click());
    await settle();
    expect(el.querySelector<HTMLSelectElement>('[aria-label="Partition"]')!.value).toBe('');
    expect(el.querySelector('[aria-label="Tail state"]')!.textContent).toMatch(/following partition 1/);
    expect(pick.disabled).toBe(true);
    unmount();
    await settle();
    expect(calls.filter(([n]) => n === 'topics.tail').map(([, r]) => r)).toEqual([
      {},
      { follow: true },
      { follow: false },
      { follow: true, partition: 1 },
      { follow: false },
    ]);
  });
});

describe('lag chart', () => {
  it('draws a line per partition and the lake dashed, from the samples', () => {
    const two = { ...LAG, samples: [...LAG.samples, { at: 6000, lag: [7, 1], lakeLag: [7, 2], end: [13, 1] }] };
    const { option, points } = lagChart(two);
    const series = (option as { series: { name: string; data: [number, number | null][] }[] }).series;
    expect(series.map((s) => [s.name, s.data])).toEqual([
      [
        'partition 0',
        [
          [1000, 4],
          [6000, 7],
        ],
      ],
      [
        'partition 1',
        [
          [1000, 0],
          [6000, 1],
        ],
      ],
      [
        'lake lag, all partitions',
        [
          [1000, 4],
          [6000, 9],
        ],
      ],
    ]);
    expect(points).toBe(6);
  });
});
