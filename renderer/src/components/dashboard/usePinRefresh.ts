import { useEffect, useRef } from 'react';
import type { PinnedChart } from '../../../../engine/contract';
import { errorInfo } from '../../api/hostError';
import { useCtx } from '../../context';
import { setTile } from '../../store/sqlLabState';

/** Rows of a pinned query the Dashboard fetches: the chart draws at most its first 40 categories. */
export const PIN_ROWS = 1000;

/**
 * Runs a pinned chart's query every refreshSeconds while its tile is shown (first when the last
 * result is due), through warehouse.query like the editor. An answer that a newer refresh or the
 * page's closing overtook is dropped; the query it came from is cancelled. Returns "refresh now".
 */
export function usePinRefresh(pin: PinnedChart): () => void {
  const { api, ui } = useCtx();
  const now = useRef<() => void>(() => undefined);
  useEffect(() => {
    let seq = 0;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running: string | null = null;
    const cancelRunning = () => {
      if (running) void api.call('warehouse.cancel', { queryId: running }).catch(() => undefined);
      running = null;
    };
    const tick = async () => {
      clearTimeout(timer);
      cancelRunning();
      const mine = ++seq;
      const queryId = `pin-${pin.id}-${Date.now()}-${mine}`;
      running = queryId;
      setTile(ui, pin.id, { running: true });
      let answer: Parameters<typeof setTile>[2];
      try {
        const result = await api.call('warehouse.query', { sql: pin.sql, queryId, limit: PIN_ROWS });
        answer = { result, okAt: Date.now(), refreshedAt: Date.now(), error: null, running: false };
      } catch (err) {
        answer = { error: errorInfo(err), refreshedAt: Date.now(), running: false };
      }
      if (!alive || mine !== seq) return; // stale: a newer refresh, or the page closed
      running = null;
      setTile(ui, pin.id, answer);
      timer = setTimeout(() => void tick(), pin.refreshSeconds * 1000);
    };
    const last = ui.getState().dashboard.tiles[pin.id]?.refreshedAt ?? null;
    const due = last === null ? 0 : last + pin.refreshSeconds * 1000 - Date.now();
    timer = setTimeout(() => void tick(), Math.max(0, due));
    now.current = () => void tick();
    return () => {
      alive = false;
      clearTimeout(timer);
      cancelRunning();
      setTile(ui, pin.id, { running: false });
    };
  }, [api, ui, pin.id, pin.sql, pin.refreshSeconds]);
  return () => now.current();
}
