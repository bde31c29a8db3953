import { useEffect, useState } from 'react';
import type {
  InfraProgress,
  InfraServiceStats,
  InfraStatus,
  ServiceModes,
  SettingsView,
} from '../../../engine/contract';
import { useAct, useCtx } from '../context';
import { useHostQuery } from '../hostQuery';
import { condition, HealthHistory } from './infrastructure/HealthHistory';
import { LogView } from './infrastructure/LogView';
import { ResourceUse } from './infrastructure/ResourceUse';
import './infrastructure/infrastructure.css';

const SERVICE_LABEL: Record<string, string> = {
  broker: 'Broker (Kafka)',
  lake: 'Lake (S3 / MinIO)',
  warehouse: 'Warehouse (PostgreSQL)',
  metrics: 'Metrics (Redis)',
};

/**
 * Each service's mode; with Docker control, the containers' state, health and its history, CPU and
 * memory, the output of one that failed, start/stop and logs.
 */
export function Infrastructure() {
  const { api } = useCtx();
  const act = useAct();
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [logs, setLogs] = useState<string | null>(null);
  const [progress, setProgress] = useState<InfraProgress[]>([]);
  const [modes, setModes] = useState<ServiceModes | null>(null);
  const [stats, setStats] = useState<Record<string, InfraServiceStats>>({});
  const [now, setNow] = useState(() => Date.now());

  const settings = useHostQuery((host) => host.call('settings.get', {}), [], { source: 'settings' }).data ?? null;
  // Polled every 3 s; a slow answer that a newer one (or a control's answer) overtook is dropped.
  const status = useHostQuery((host) => host.call('infra.status', {}), [], {
    onData: () => {
      setNow(Date.now());
      setUnavailable(null);
    },
    onError: (err) => setUnavailable(err.message),
  });
  const infra: InfraStatus | null = status.data ?? null;
  const setInfra = status.set;
  const { refresh } = status;
  useEffect(() => {
    const t = setInterval(() => void refresh(), 3000);
    const off = api.on('infra.progress', (p) =>
      setProgress((cur) => [...cur.filter((x) => !(p.layer && x.layer === p.layer)), p].slice(-12)),
    );
    // The Host samples containers' CPU and memory every 2 s while this page listens.
    const offStats = api.on('infra.stats', (e) => {
      setStats(Object.fromEntries(e.services.map((x) => [x.service, x])));
      setNow(e.at);
    });
    return () => {
      clearInterval(t);
      off();
      offStats();
    };
  }, [api, refresh]);

  const control = (cmd: 'infra.start' | 'infra.stop', service: string) =>
    void act(api.call(cmd, { service }), 'infra').then((s) => s && setInfra(s));
  const stack = (cmd: 'infra.up' | 'infra.down') => {
    setProgress([]);
    void act(api.call(cmd, {}), 'infra').then((s) => s && setInfra(s));
  };
  const switchTo = (cmd: 'infra.useDocker' | 'infra.useEmbedded') =>
    void act(api.call(cmd, {}), 'infra').then((m) => m && setModes(m));

  return (
    <div className="page">
      <h2>Infrastructure</h2>
      <table className="grid" aria-label="Service modes">
        <thead>
          <tr>
            <th scope="col">service</th>
            <th scope="col">mode</th>
            <th scope="col">in force</th>
          </tr>
        </thead>
        <tbody>
          {settings &&
            (Object.keys(settings.modes) as (keyof SettingsView['modes'])[]).map((k) => (
              <tr key={k}>
                <th scope="row">{SERVICE_LABEL[k]}</th>
                <td>
                  <span className={`badge mode-${settings.modes[k]}`}>{settings.modes[k]}</span>
                </td>
                <td>{settings.inForce[k]}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {unavailable !== null && (
        <p className="notice" role="status">
          Docker control is not available here: {unavailable}. Modes are changed on the Settings page.
        </p>
      )}
      {infra && (
        <>
          <h3>Containers ({infra.project})</h3>
          <div className="toolbar">
            <button onClick={() => stack('infra.up')}>Start stack</button>
            <button onClick={() => stack('infra.down')}>Stop stack</button>
            <button
              onClick={() => switchTo('infra.useDocker')}
              title="Point the pipeline at the healthy containers (stages must be stopped)"
            >
              Use Docker services
            </button>
            <button onClick={() => switchTo('infra.useEmbedded')}>Back to embedded</button>
          </div>
          {modes && (
            <p role="status">
              Pipeline services now:{' '}
              {Object.entries(modes)
                .map(([k, v]) => `${k} ${v}`)
                .join(' · ')}
            </p>
          )}
          {progress.length > 0 && (
            <ul className="progress-log" aria-label="Stack progress">
              {progress.map((p, i) => (
                <li key={i}>
                  {p.service ? `${p.service}: ` : ''}
                  {p.message}
                  {p.total ? ` (${Math.round(((p.current ?? 0) / p.total) * 100)}%)` : ''}
                </li>
              ))}
            </ul>
          )}
          <table className="grid" aria-label="Containers">
            <thead>
              <tr>
                <th scope="col">service</th>
                <th scope="col">state</th>
                <th scope="col">health</th>
                <th scope="col">CPU</th>
                <th scope="col">memory</th>
                <th scope="col">ports</th>
                <th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              {infra.services.flatMap((s) => [
                <tr key={s.service}>
                  <th scope="row">{s.service}</th>
                  <td>
                    {s.state}
                    {s.exitCode !== null ? ` (${s.exitCode})` : ''}
                  </td>
                  <td>
                    <span className="badge">
                      <i className={`cond-dot cond-${condition(s)}`} aria-hidden="true" />
                      {s.health}
                    </span>
                  </td>
                  <td>
                    <ResourceUse stats={s.state === 'running' ? stats[s.service] : undefined} what="cpu" />
                  </td>
                  <td>
                    <ResourceUse stats={s.state === 'running' ? stats[s.service] : undefined} what="memory" />
                  </td>
                  <td>{s.ports.map((p) => `${p.hostPort}→${p.containerPort}`).join(', ')}</td>
                  <td>
                    <button
                      onClick={() => control('infra.start', s.service)}
                      disabled={s.state === 'running'}
                      aria-label={`Start ${s.service}`}
                    >
                      Start
                    </button>
                    <button
                      onClick={() => control('infra.stop', s.service)}
                      disabled={s.state !== 'running'}
                      aria-label={`Stop ${s.service}`}
                    >
                      Stop
                    </button>
                    <button onClick={() => setLogs(s.service)} aria-label={`Logs of ${s.service}`}>
                      Logs
                    </button>
                  </td>
                </tr>,
                ...(s.lastLines.length
                  ? [
                      <tr key={`${s.service}-failed`}>
                        <td colSpan={7}>
                          <pre className="failed-output" role="alert" aria-label={`Why ${s.service} stopped`}>
                            {`${s.service} exited with code ${s.exitCode ?? '?'}; its last lines:\n${s.lastLines.join('\n')}`}
                          </pre>
                        </td>
                      </tr>,
                    ]
                  : []),
              ])}
            </tbody>
          </table>
          <h3>Health history</h3>
          <p className="legend" aria-hidden="true">
            {[
              ['healthy', 'healthy'],
              ['running', 'running (no health check)'],
              ['starting', 'starting'],
              ['unhealthy', 'unhealthy'],
              ['exited', 'stopped or not created'],
            ].map(([c, label]) => (
              <span key={c}>
                <i className={`cond-${c}`} />
                {label}
              </span>
            ))}
          </p>
          <table className="grid" aria-label="Health history">
            <thead>
              <tr>
                <th scope="col">service</th>
                <th scope="col">state and health over time (as this app saw them), last health checks</th>
              </tr>
            </thead>
            <tbody>
              {infra.services.map((s) => (
                <tr key={s.service}>
                  <th scope="row">{s.service}</th>
                  <td>
                    <HealthHistory service={s} now={Math.max(now, ...s.history.map((h) => h.at))} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {logs && <LogView key={logs} service={logs} />}
        </>
      )}
    </div>
  );
}
