import { useState } from 'react';
import type { ChartSpec } from '../../../../engine/contract';
import { useCtx, usePlace } from '../../context';
import { REFRESH_CHOICES, setDashboard } from '../../store/sqlLabState';
import { ErrorNote } from '../ErrorNote';

/** Keeps the result's chart on the Dashboard: its query, the chart as shown, a title and how often it refreshes. */
export function PinChart({
  sql,
  chart,
  money,
  defaultTitle,
}: {
  sql: string;
  chart: ChartSpec;
  money?: string[];
  defaultTitle: string;
}) {
  const { api, ui } = useCtx();
  const place = usePlace('warehouse.pin');
  const [title, setTitle] = useState('');
  const [every, setEvery] = useState(60);
  const [pinned, setPinned] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pin = async () => {
    setBusy(true);
    const name = title.trim() || defaultTitle;
    const r = await place.run(
      api.call('dashboard.pin', { title: name, sql, chart, refreshSeconds: every, ...(money ? { money } : {}) }),
    );
    setBusy(false);
    if (!r) return;
    setDashboard(ui, { pins: r });
    setPinned(name);
  };
  return (
    <div className="pin-chart">
      <form
        className="toolbar"
        aria-label="Pin this chart"
        onSubmit={(e) => {
          e.preventDefault();
          void pin();
        }}
      >
        <input
          aria-label="Dashboard title"
          placeholder={defaultTitle}
          value={title}
          maxLength={200}
          onChange={(e) => {
            setTitle(e.target.value);
            setPinned(null);
          }}
        />
        <label>
          Refresh{' '}
          <select aria-label="Dashboard refresh" value={every} onChange={(e) => setEvery(Number(e.target.value))}>
            {REFRESH_CHOICES.map(([s, label]) => (
              <option key={s} value={s}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Pinning…' : 'Pin to Dashboard'}
        </button>
        {pinned && (
          <span role="status">
            Pinned "{pinned}" — <a href="#/dashboard">open the Dashboard</a>
          </span>
        )}
      </form>
      <ErrorNote error={place.error} id="pin-error" />
    </div>
  );
}
