import { useEffect } from 'react';
import { useStore } from 'zustand';
import { ErrorNote } from '../components/ErrorNote';
import { useCtx, usePlace, useTimeFormat, useUi } from '../context';
import { useHostQuery } from '../hostQuery';
import { RANGES, setLiveView } from '../store/reconcileState';
import { rangeFor, silverUntil } from './liveView';

const REFRESH_MS = 15_000;
const NO_NAMES: Record<string, string> = {};

/**
 * The Live page's time range (15 min to 24 h), auto-refresh on/off and store filter. The range is
 * read once per choice (metrics.range: the windows, and silver before the oldest window) and again
 * every 15 s while auto-refresh is on; the ticks fill in the newest minutes between. Off, the charts
 * keep what they show until "Refresh now". Answers to an older choice are dropped.
 */
export function LiveControls() {
  const { live, ui } = useCtx();
  const view = useUi((s) => s.liveView);
  const place = usePlace('live.range');
  const time = useTimeFormat();
  const range = useStore(live, (s) => rangeFor(s.range, view));
  const names = useStore(live, (s) => s.range?.names.stores ?? s.snapshot?.names.stores ?? NO_NAMES);
  const { minutes, store } = view;
  const { refresh } = useHostQuery(
    (host) => host.call('metrics.range', { minutes, ...(store === null ? {} : { stores: [Number(store)] }) }),
    [minutes, store],
    { place: 'live.range', refreshOn: [view.refreshTick], onData: (r) => live.setState({ range: r }) },
  );
  useEffect(() => {
    if (!view.autoRefresh) return;
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [view.autoRefresh, refresh]);

  const stores = Object.entries(names).sort((a, b) => Number(a[0]) - Number(b[0]));
  const until = silverUntil(range);
  const source = !range
    ? 'reading the range…'
    : until === null
      ? 'every minute from the live windows'
      : until >= range.to
        ? 'every minute from silver (the live windows hold none of them)'
        : `minutes before ${time.minute(until)} from silver, then the live windows`;
  return (
    <>
      <div className="toolbar live-controls">
        <label>
          Range{' '}
          <select
            aria-label="Time range"
            value={view.minutes}
            onChange={(e) => setLiveView(ui, { minutes: Number(e.target.value) })}
          >
            {RANGES.map(([m, label]) => (
              <option key={m} value={m}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Store{' '}
          <select
            aria-label="Store filter"
            value={view.store ?? ''}
            onChange={(e) => setLiveView(ui, { store: e.target.value === '' ? null : e.target.value })}
          >
            <option value="">All stores</option>
            {stores.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
            {view.store !== null && !names[view.store] && <option value={view.store}>Store {view.store}</option>}
          </select>
        </label>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={view.autoRefresh}
            onChange={() =>
              setLiveView(ui, { autoRefresh: !view.autoRefresh, pausedAt: view.autoRefresh ? Date.now() : null })
            }
          />{' '}
          Auto-refresh
        </label>
        <button
          disabled={view.autoRefresh}
          onClick={() => setLiveView(ui, { refreshTick: view.refreshTick + 1, pausedAt: Date.now() })}
        >
          Refresh now
        </button>
        <span className="muted" role="status" aria-label="Where the minutes come from">
          {source}
          {view.pausedAt === null ? '' : ` · paused at ${time.time(view.pausedAt)}`}
        </span>
      </div>
      {range?.note && (
        <p className="notice" role="status">
          {range.note}
        </p>
      )}
      <ErrorNote error={place.error} />
    </>
  );
}
