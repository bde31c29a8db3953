import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import type { LakeOffsets as Offsets } from '../../../engine/contract';
import { LakeOffsets, type OffsetsSource } from './LakeOffsets';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const base: Offsets = {
  lakeId: null,
  lake: 's3://lake',
  group: null,
  groupFrom: 'lake',
  topic: 'sales_transactions',
  partitions: [],
  notices: [],
  summary: '',
  at: 0,
};

/** A Host that answers stream.offsets with `first` when told to, and pushes events on demand. */
function fakeHost() {
  const listeners = new Set<(o: Offsets) => void>();
  let answer!: (o: Offsets) => void;
  const api: OffsetsSource = {
    call: () => new Promise<Offsets>((r) => (answer = r)),
    on: (_name, l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api, answer: (o: Offsets) => answer(o), push: (o: Offsets) => listeners.forEach((l) => l(o)) };
}

describe('LakeOffsets', () => {
  it('shows the lake, its group, then what the stream read from where and what the user must know; a late answer never replaces a newer event', async () => {
    const host = fakeHost();
    const el = document.createElement('div');
    document.body.append(el);
    const root = createRoot(el);
    act(() => root.render(<LakeOffsets api={host.api} />));
    expect(el.textContent).toBe('');
    await act(async () =>
      host.answer({
        ...base,
        lakeId: 'b7e1c2d4-0000-4000-8000-000000000001',
        group: 'retail-pulse-b7e1c2d40000',
        at: 1,
      }),
    );
    expect(el.textContent).toContain('s3://lake (lake b7e1c2d4-0000-4000-8000-000000000001)');
    expect(el.textContent).toContain("retail-pulse-b7e1c2d40000 (the lake's own)");

    act(() =>
      host.push({
        ...base,
        lakeId: 'b7e1c2d4-0000-4000-8000-000000000001',
        group: 'team-a',
        groupFrom: 'setting',
        partitions: [{ partition: 0, lake: 1200, committed: 1500, earliest: 0, end: 20_000, start: 1200 }],
        notices: [
          {
            kind: 'lake_behind_group',
            message: 'the lake holds less of sales_transactions than consumer group team-a has committed',
            ranges: [{ partition: 0, from: 1200, to: 1499, records: 300 }],
          },
        ],
        at: 5,
      }),
    );
    expect(el.querySelector('[role="status"]')!.textContent).toMatch(/lake holds less/);
    expect(el.textContent).toContain('team-a (set)');
    const row = el.querySelector('table[aria-label="Partition starts"] tbody tr')!;
    expect([...row.querySelectorAll('td')].map((td) => td.textContent)).toEqual([
      '0',
      '1,200',
      '1,500',
      '0',
      '20,000',
      '1,200',
    ]);
    act(() => root.unmount());
  });

  it('keeps a newer event when the first answer comes back late', async () => {
    const host = fakeHost();
    const el = document.createElement('div');
    document.body.append(el);
    const root = createRoot(el);
    act(() => root.render(<LakeOffsets api={host.api} />));
    act(() => host.push({ ...base, group: 'from-the-stream', at: 10 }));
    await act(async () => host.answer({ ...base, group: 'stale-answer', at: 2 }));
    expect(el.textContent).toContain('from-the-stream');
    expect(el.textContent).not.toContain('stale-answer');
    act(() => root.unmount());
  });
});
