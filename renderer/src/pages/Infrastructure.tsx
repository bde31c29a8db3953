import { useEffect, useRef, useState } from 'react';
import type { InfraLogLine, InfraProgress, InfraStatus, ServiceModes, SettingsView } from '../../../engine/contract';
import { useAct, useCtx } from '../context';

const SERVICE_LABEL: Record<string, string> = {
  broker: 'Broker (Kafka)',
  lake: 'Lake (S3 / MinIO)',
  warehouse: 'Warehouse (PostgreSQL)',
  metrics: 'Metrics (Redis)',
};
const MAX_LINES = 5000;

/** A log view whose follow pauses when scrolled up, with search. */
function LogView({ service }: { service: string }) {
  const { api } = useCtx();
  const act = useAct();
  const [lines, setLines] = useState<InfraLogLine[]>([]);
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    setLines([]);
    void act(api.call('infra.logs', { service, tail: 500, follow: true }), 'infra').then((r) => r && setLines(r.lines));
    const off = api.on('infra.log', (e) =>
      setLines((cur) => [...cur, ...e.lines.filter((l) => l.service === service)].slice(-MAX_LINES)),
    );
    return () => {
      off();
      void api.call('infra.logs', { service, follow: false }).catch(() => undefined);
    };
  }, [service]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const shown = query ? lines.filter((l) => l.line.toLowerCase().includes(query.toLowerCase())) : lines;
  return (
    <section aria-label={`Logs of ${service}`}>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search logs"
          aria-label="Search logs"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <label className="switch">
          <input type="checkbox" role="switch" checked={follow} onChange={() => setFollow(!follow)} /> Follow
        </label>
      </div>
      <pre
        ref={box}
        className="logs"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          if (atBottom !== follow) setFollow(atBottom);
        }}
      >
        {shown.map((l) => `${l.time.slice(11, 19)} ${l.stream === 'stderr' ? '!' : ' '} ${l.line}`).join('\n') ||
          'no lines'}
      </pre>
    </section>
  );
}

/** Each service's mode; with Docker control, the containers' state, health, start/stop and logs. */
export function Infrastructure() {
  const { api } = useCtx();
  const act = useAct();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [infra, setInfra] = useState<InfraStatus | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [logs, setLogs] = useState<string | null>(null);
  const [progress, setProgress] = useState<InfraProgress[]>([]);
  const [modes, setModes] = useState<ServiceModes | null>(null);

  const refresh = () =>
    api.call('infra.status', {}).then(
      (s) => {
        setInfra(s);
        setUnavailable(null);
      },
      (err: Error) => setUnavailable(err.message),
    );
  useEffect(() => {
    void act(api.call('settings.get', {}), 'settings').then((s) => s && setSettings(s));
    void refresh();
    const t = setInterval(() => void refresh(), 3000);
    const off = api.on('infra.progress', (p) =>
      setProgress((cur) => [...cur.filter((x) => !(p.layer && x.layer === p.layer)), p].slice(-12)),
    );
    return () => {
      clearInterval(t);
      off();
    };
  }, []);

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
                <th scope="col">ports</th>
                <th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              {infra.services.map((s) => (
                <tr key={s.service}>
                  <th scope="row">{s.service}</th>
                  <td>{s.state}</td>
                  <td>{s.health}</td>
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
                </tr>
              ))}
            </tbody>
          </table>
          {logs && <LogView service={logs} />}
        </>
      )}
    </div>
  );
}
