import type { ServiceHealth } from '../../../engine/contract';
import { useCtx, useTimeFormat, useUi } from '../context';
import { localZone, zoneLabel } from '../format';

/** One service's health as the Host last saw it, with its error: the reason to fix a setting below. */
export function ServiceStatusLine({ health }: { health?: ServiceHealth }) {
  const time = useTimeFormat();
  if (!health) return null;
  const state = health.state === 'ok' ? 'answers' : health.state === 'failed' ? 'not reachable' : 'checking…';
  return (
    <div className={`service-status state-${health.state}`} role="status">
      <span className="badge">{health.mode}</span> {health.target}: <strong>{state}</strong>{' '}
      <span className="muted">(checked {time.time(health.checkedAt)})</span>
      {health.error && (
        <p className="error-text">
          {health.error.message}
          {health.mode === 'docker' || /Settings/.test(health.error.message)
            ? ''
            : ' Change the settings below, test them, save, then restart the app.'}
        </p>
      )}
    </div>
  );
}

const COMMON_ZONES = ['UTC', 'Africa/Cairo', 'Europe/London', 'Europe/Berlin', 'Asia/Dubai', 'America/New_York'];

/** The time zone every page uses: the machine's own by default, or one chosen here (kept in this browser). */
export function ZoneChoiceField() {
  const { ui } = useCtx();
  const zone = useUi((s) => s.zone);
  const local = localZone();
  const zones = [...new Set([...COMMON_ZONES, ...(zone !== 'local' ? [zone] : [])])];
  return (
    <label className="zone-choice">
      Time zone{' '}
      <select value={zone} onChange={(e) => ui.setState({ zone: e.target.value })} aria-label="Time zone">
        <option value="local">This computer's: {zoneLabel(local)}</option>
        {zones.map((z) => (
          <option key={z} value={z}>
            {zoneLabel(z)}
          </option>
        ))}
      </select>
    </label>
  );
}
