import { useEffect, useState } from 'react';
import type { AlertRule } from '../../../engine/contract';
import { KIND_NAMES, RuleForm, ruleText } from '../components/alerts/RuleForm';
import { ErrorNote } from '../components/ErrorNote';
import { useAct, useCtx, usePlace, useTimeFormat, useUi } from '../context';
import { formatNumber } from '../format';
import { setOps } from '../store/opsState';
import '../ops.css';

const STATE_TEXT = { ok: 'ok', firing: 'firing', pending: 'pending', no_data: 'no data', disabled: 'off' } as const;

/** Web mode asks the browser; in Electron the main process shows them through the system. */
function Notifications() {
  const [permission, setPermission] = useState(
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  if (window.api) return <p className="muted">Desktop notifications are shown by the system when an alert fires.</p>;
  if (permission === 'granted') return <p className="muted">Desktop notifications are on in this browser.</p>;
  if (permission === 'denied' || permission === 'unsupported')
    return (
      <p className="muted">
        This browser {permission === 'denied' ? 'blocks' : 'has no'} desktop notifications: alerts show here and in the
        header.
      </p>
    );
  return (
    <p>
      <button onClick={() => void Notification.requestPermission().then(setPermission)}>
        Allow desktop notifications
      </button>{' '}
      <span className="muted">so an alert shows even when this tab is in the background</span>
    </p>
  );
}

function RuleRow({ rule }: { rule: AlertRule }) {
  const { api, ui } = useCtx();
  const place = usePlace(`alerts.rule:${rule.id}`);
  const rules = useUi((s) => s.ops.alerts.rules);
  const state = rules?.states.find((s) => s.ruleId === rule.id);
  const run = (p: Promise<typeof rules>) => void place.run(p).then((r) => r && setOps(ui, 'alerts', { rules: r }));
  return (
    <tr>
      <td>{rule.name}</td>
      <td className="wrap">{ruleText(rule)}</td>
      <td className="wrap">
        {state && <span className={`badge alert-state-${state.state}`}>{STATE_TEXT[state.state]}</span>}{' '}
        {state?.summary}
        <ErrorNote error={place.error} />
      </td>
      <td>
        <label>
          <input
            type="checkbox"
            checked={rule.enabled}
            onChange={(e) => run(api.call('alerts.saveRule', { rule: { ...rule, enabled: e.target.checked } }))}
            aria-label={`Rule ${rule.name} on`}
          />{' '}
          on
        </label>{' '}
        <button
          className="link"
          onClick={() => setOps(ui, 'alerts', { editing: rule.id })}
          aria-label={`Edit rule ${rule.name}`}
        >
          Edit
        </button>{' '}
        <button
          className="link"
          onClick={() => run(api.call('alerts.deleteRule', { id: rule.id }))}
          aria-label={`Delete rule ${rule.name}`}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/**
 * The alert centre (what fired, when it cleared, acknowledged or not, kept across restarts) and the
 * rules on lag, quarantine rate, ETL failure, data freshness and services, each with its state now.
 */
export function Alerts() {
  const { api, ui } = useCtx();
  const act = useAct();
  const time = useTimeFormat();
  const { list, rules, editing } = useUi((s) => s.ops.alerts);

  useEffect(() => {
    void act(api.call('alerts.list', {}), 'alerts').then((l) => l && setOps(ui, 'alerts', { list: l }));
    void act(api.call('alerts.rules', {}), 'alerts').then((r) => r && setOps(ui, 'alerts', { rules: r }));
    if (!ui.getState().ops.quality.rules.length)
      void act(api.call('quality.rules', {}), 'alerts').then((r) => r && setOps(ui, 'quality', { rules: r }));
  }, []);
  const ack = (id?: string) =>
    void act(api.call('alerts.acknowledge', id ? { id } : {}), 'alerts').then(
      (l) => l && setOps(ui, 'alerts', { list: l }),
    );
  const check = () =>
    void act(api.call('alerts.check', {}), 'alerts').then((r) => r && setOps(ui, 'alerts', { rules: r }));

  return (
    <div className="page">
      <h2>Alerts</h2>
      <Notifications />
      <div className="toolbar">
        <button onClick={() => ack()} disabled={!list?.unacknowledged}>
          Acknowledge all
        </button>
        <button onClick={check}>Check now</button>
        <span className="muted" role="status" aria-label="Alert count">
          {list ? `${formatNumber(list.unacknowledged)} not acknowledged of ${formatNumber(list.alerts.length)}` : ''} ·
          times in {time.label}
        </span>
      </div>
      {list?.problem && <ErrorNote error={{ message: list.problem }} />}
      {list && list.alerts.length === 0 && <p className="muted">No alert has fired.</p>}
      <ul className="alert-list" aria-label="Alert centre">
        {list?.alerts.map((a) => (
          <li
            key={a.id}
            className={`${a.resolvedAt === null ? 'open' : 'resolved'} ${a.acknowledgedAt === null ? 'unread' : ''}`}
          >
            <div>
              {a.name} — {a.resolvedAt === null ? 'open' : 'resolved'}
              <p>{a.message}</p>
              <p className="muted">
                fired {time.dateTime(a.firedAt)}
                {a.resolvedAt !== null && `, resolved ${time.dateTime(a.resolvedAt)}`}
                {a.acknowledgedAt !== null && `, acknowledged ${time.dateTime(a.acknowledgedAt)}`}
              </p>
            </div>
            <div>
              {a.acknowledgedAt === null && (
                <button
                  onClick={() => ack(a.id)}
                  aria-label={`Acknowledge ${a.name} fired ${time.dateTime(a.firedAt)}`}
                >
                  Acknowledge
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <h3>Rules</h3>
      <p className="muted">
        Evaluated every 15 seconds (the lag as the stream reports it, a failed run as it ends). A rule fires once when
        its condition starts to hold and is resolved when it stops; kinds: {Object.values(KIND_NAMES).join(', ')}.
      </p>
      {rules?.problem && <ErrorNote error={{ message: rules.problem }} />}
      <div className="grid-wrap" tabIndex={0} role="region" aria-label="Alert rules">
        <table className="grid rule-table" aria-label="Alert rules">
          <thead>
            <tr>
              <th scope="col">rule</th>
              <th scope="col">fires when</th>
              <th scope="col">now</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rules?.rules.map((r) => (
              <RuleRow key={r.id} rule={r} />
            ))}
          </tbody>
        </table>
      </div>
      {editing ? (
        <RuleForm key={editing} rule={rules?.rules.find((r) => r.id === editing)} />
      ) : (
        <button onClick={() => setOps(ui, 'alerts', { editing: 'new' })}>Add a rule</button>
      )}
    </div>
  );
}

/** The header's count of alerts not acknowledged: a link to the alert centre. */
export function AlertBadge() {
  const count = useUi((s) => s.ops.alerts.list?.unacknowledged ?? 0);
  if (!count) return null;
  return (
    <a className="alert-badge" href="#/alerts">
      {formatNumber(count)} alert{count === 1 ? '' : 's'}
    </a>
  );
}
