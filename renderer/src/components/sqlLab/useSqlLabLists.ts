import { useEffect } from 'react';
import type { SqlLabPart } from '../../../../engine/contract';
import { useCtx, usePlace } from '../../context';
import { setDashboard } from '../../store/sqlLabState';
import { setSqlLab } from '../../store/sqlLabState';

/**
 * Reads the lab's lists the Host keeps (saved queries, history, pinned charts) while a page that
 * shows them is open, and again whenever any window changes one (sqlLab.changed). Never writes.
 */
export function useSqlLabLists(parts: readonly SqlLabPart[]): void {
  // `parts` is a module constant at each call site (a new array each render would read again each render).
  const { api, ui } = useCtx();
  const { run } = usePlace('sqlLab.lists');
  useEffect(() => {
    let live = true;
    const read = (part: SqlLabPart) => {
      if (!parts.includes(part)) return;
      if (part === 'saved')
        void run(api.call('sqlLab.saved', {})).then((saved) => live && saved && setSqlLab(ui, { saved }));
      else if (part === 'history')
        void run(api.call('sqlLab.history', {})).then((history) => live && history && setSqlLab(ui, { history }));
      else void run(api.call('dashboard.pins', {})).then((pins) => live && pins && setDashboard(ui, { pins }));
    };
    parts.forEach(read);
    const off = api.on('sqlLab.changed', (e) => read(e.part));
    return () => {
      live = false;
      off();
    };
  }, [api, ui, run, parts]);
}
