import type { PinnedChart } from '../../../../engine/contract';
import { useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { formatDuration } from '../../format';
import { NO_TILE, REFRESH_CHOICES, setDashboard } from '../../store/sqlLabState';
import { setWarehouse } from '../../store/uiStore';
import { ErrorNote } from '../ErrorNote';
import { ResultChart } from '../ResultChart';
import { usePinRefresh } from './usePinRefresh';

function every(seconds: number): string {
  return REFRESH_CHOICES.find(([s]) => s === seconds)?.[1] ?? `every ${formatDuration(seconds * 1000)}`;
}

/** One pinned chart: refreshed on its interval, when it last was, and its error where it happened. */
export function DashboardTile({ pin }: { pin: PinnedChart }) {
  const { api, ui } = useCtx();
  const tile = useUi((s) => s.dashboard.tiles[pin.id]) ?? NO_TILE;
  const place = usePlace(`dashboard.${pin.id}`);
  const time = useTimeFormat();
  const refreshNow = usePinRefresh(pin);
  const choices = REFRESH_CHOICES.some(([s]) => s === pin.refreshSeconds)
    ? REFRESH_CHOICES
    : [...REFRESH_CHOICES, [pin.refreshSeconds, every(pin.refreshSeconds)] as [number, string]];
  const change = (p: Promise<Parameters<typeof setDashboard>[1]['pins']>) =>
    void place.run(p).then((pins) => pins && setDashboard(ui, { pins }));
  return (
    <section className="tile" aria-label={pin.title}>
      <div className="tile-head">
        <h3>{pin.title}</h3>
        <span className="muted" role="status" aria-label={`${pin.title} refresh state`}>
          {tile.running
            ? 'refreshing…'
            : tile.refreshedAt === null
              ? 'not refreshed yet'
              : `${tile.error ? 'failed' : 'refreshed'} ${time.time(tile.refreshedAt)}`}
        </span>
      </div>
      {tile.error && (
        <ErrorNote
          error={{
            message: `${tile.error.message}${tile.okAt ? ` (showing the result of ${time.time(tile.okAt)})` : ''}`,
          }}
        />
      )}
      {tile.result ? (
        <ResultChart result={tile.result} spec={pin.chart} money={pin.money} />
      ) : (
        !tile.error && <p className="muted chart-placeholder">Waiting for the first result…</p>
      )}
      <div className="toolbar">
        <select
          aria-label={`Refresh ${pin.title}`}
          value={pin.refreshSeconds}
          onChange={(e) => change(api.call('dashboard.update', { id: pin.id, refreshSeconds: Number(e.target.value) }))}
        >
          {choices.map(([s, label]) => (
            <option key={s} value={s}>
              {label}
            </option>
          ))}
        </select>
        <button onClick={refreshNow} disabled={tile.running}>
          Refresh now
        </button>
        <button
          onClick={() => {
            setWarehouse(ui, { sql: pin.sql });
            location.hash = '#/warehouse';
          }}
        >
          Open in Warehouse
        </button>
        <button aria-label={`Unpin ${pin.title}`} onClick={() => change(api.call('dashboard.unpin', { id: pin.id }))}>
          Unpin
        </button>
      </div>
      <ErrorNote error={place.error} />
    </section>
  );
}
