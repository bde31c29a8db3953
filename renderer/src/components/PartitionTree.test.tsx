import { act, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeHost, render } from '../testing/harness';
import { PartitionTree, type TreeModel } from './PartitionTree';

const ROOT = 'silver/sales_lines/';
const CHILDREN: Record<string, string[]> = {
  [`${ROOT}date=2026-03-01/hour=10/`]: [],
  [ROOT]: [`${ROOT}date=2026-03-01/`, `${ROOT}date=2026-03-02/`],
  [`${ROOT}date=2026-03-01/`]: [`${ROOT}date=2026-03-01/hour=09/`, `${ROOT}date=2026-03-01/hour=10/`],
  [`${ROOT}date=2026-03-02/`]: [`${ROOT}date=2026-03-02/hour=00/`],
};

function Harness({ selected }: { selected: (p: string) => void }) {
  const [model, setModel] = useState<TreeModel>({ children: CHILDREN, open: [], selected: '' });
  return (
    <PartitionTree
      root={ROOT}
      model={model}
      onToggle={(p, open) => setModel((m) => ({ ...m, open: open ? [...m.open, p] : m.open.filter((x) => x !== p) }))}
      onSelect={(p) => {
        selected(p);
        setModel((m) => ({ ...m, selected: p }));
      }}
    />
  );
}

const press = (key: string) =>
  act(() => {
    document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  });
const focused = () => document.activeElement?.querySelector('.tree-label')?.textContent?.slice(2);

describe('partition tree', () => {
  it('moves with the arrow keys, opens and closes, goes to the parent, selects with Enter; one tab stop', async () => {
    const picked: string[] = [];
    const { el, unmount } = await render(<Harness selected={(p) => picked.push(p)} />, fakeHost({}).api, 'lake');
    const items = () => [...el.querySelectorAll<HTMLElement>('[role="treeitem"]')];
    expect(items().map((i) => i.tabIndex)).toEqual([0, -1]);
    act(() => items()[0].focus());
    press('ArrowDown');
    expect(focused()).toBe('date=2026-03-02');
    press('ArrowUp');
    press('ArrowRight');
    expect(items()[0].getAttribute('aria-expanded')).toBe('true');
    press('ArrowRight');
    expect(focused()).toBe('hour=09');
    press('ArrowDown');
    expect(focused()).toBe('hour=10');
    press('Enter');
    expect(picked).toEqual([`${ROOT}date=2026-03-01/hour=10/`]);
    press('ArrowLeft');
    expect(focused()).toBe('date=2026-03-01');
    press('ArrowLeft');
    expect(items()[0].getAttribute('aria-expanded')).toBe('false');
    press('End');
    expect(focused()).toBe('date=2026-03-02');
    press('Home');
    expect(focused()).toBe('date=2026-03-01');
    unmount();
  });
});
