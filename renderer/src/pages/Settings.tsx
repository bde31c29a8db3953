import { useState } from 'react';
import type { ConnectionTest, ErrorInfo, ServiceKind, SettingKey, SettingsView } from '../../../engine/contract';
import { errorInfo } from '../api/hostError';
import { ErrorNote } from '../components/ErrorNote';
import { ServiceStatusLine, ZoneChoiceField } from '../components/SettingsParts';
import { useAct, useApp, useCtx, useUi } from '../context';
import { formatDuration } from '../format';
import { useHostQuery } from '../hostQuery';

const SERVICES: [ServiceKind, string, [SettingKey, string, string][]][] = [
  [
    'broker',
    'Broker (Kafka)',
    [
      ['kafka', 'Kafka bootstrap servers', 'embedded (host:port,…)'],
      ['topic', 'Topic', 'sales_transactions'],
      ['partitions', 'Partitions (new topic)', '4'],
      ['group', 'Consumer group', "the lake's own (from its id)"],
    ],
  ],
  [
    'lake',
    'Lake (S3)',
    [
      ['s3', 'S3 endpoint', 'embedded (http://host:port)'],
      ['s3Bucket', 'S3 bucket', ''],
      ['s3Region', 'S3 region', 'us-east-1'],
      ['s3AccessKeyId', 'S3 access key id', ''],
      ['s3SecretAccessKey', 'S3 secret access key', ''],
    ],
  ],
  [
    'warehouse',
    'Warehouse (PostgreSQL)',
    [
      ['postgres', 'PostgreSQL URL', 'embedded (postgres://user:pass@host:port/db)'],
      ['postgresReaderPassword', 'PostgreSQL reader password (query editor)', 'derived from the PostgreSQL password'],
    ],
  ],
  [
    'metrics',
    'Metrics store (Redis)',
    [
      ['redis', 'Redis URL', 'embedded (redis://host:port)'],
      ['redisPrefix', 'Redis key prefix', 'retail-pulse:'],
    ],
  ],
];
const FIELDS = SERVICES.flatMap(([, , fields]) => fields);

/** Connections and modes, saved to settings.json in the data dir; each service's health and a connection test. */
export function Settings() {
  const { api, app } = useCtx();
  const act = useAct();
  const services = useUi((s) => s.services);
  const [form, setForm] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [formError, setFormError] = useState<ErrorInfo | null>(null);
  const [tests, setTests] = useState<Partial<Record<ServiceKind, ConnectionTest | 'testing'>>>({});
  const theme = useApp((s) => s.theme);

  const fill = (v: SettingsView) =>
    setForm(Object.fromEntries(FIELDS.map(([k]) => [k, v.values[k] === undefined ? '' : String(v.values[k])])));
  const settings = useHostQuery((host) => host.call('settings.get', {}), [], { source: 'settings', onData: fill });
  const view = settings.data ?? null;
  const load = (v: SettingsView) => {
    settings.set(v);
    fill(v);
  };

  // What the user typed, as typed: the engine validates each field ("four" partitions is refused by name).
  const values = (keys: readonly SettingKey[] = FIELDS.map(([k]) => k)) =>
    Object.fromEntries(keys.map((k) => [k, form[k] === '' ? null : (form[k] ?? null)]));

  const save = async () => {
    setSaved(false);
    try {
      load(await api.call('settings.set', { values: values() }));
      setFormError(null);
      setSaved(true);
    } catch (err) {
      setFormError(errorInfo(err));
    }
  };

  const test = async (service: ServiceKind, keys: SettingKey[]) => {
    setTests((t) => ({ ...t, [service]: 'testing' }));
    const r = await act(api.call('settings.test', { service, values: values(keys) }), 'settings');
    setTests((t) => ({ ...t, [service]: r }));
  };

  const fieldError = (k: SettingKey) => (formError?.field === k ? formError : null);

  return (
    <div className="page">
      <h2>Settings</h2>
      <fieldset>
        <legend>Appearance and time</legend>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={theme === 'light'}
            onChange={() => {
              app.setState({ theme: theme === 'light' ? 'dark' : 'light' });
            }}
          />{' '}
          Light theme
        </label>
        <ZoneChoiceField />
      </fieldset>
      {view?.startupProblems?.length ? (
        <div className="notice" role="alert">
          <p>Some saved settings could not be used at this start; the defaults stood in:</p>
          <ul>
            {view.startupProblems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        {SERVICES.map(([service, title, fields]) => {
          const result = tests[service];
          return (
            <fieldset key={service} aria-label={title}>
              <legend>{title} (empty = embedded)</legend>
              <ServiceStatusLine health={services.find((s) => s.service === service)} />
              <div className="form-grid">
                {fields.map(([k, label, placeholder]) => (
                  <div key={k} className="field">
                    <label htmlFor={`setting-${k}`}>{label}</label>
                    <input
                      id={`setting-${k}`}
                      type={k === 's3SecretAccessKey' || k === 'postgresReaderPassword' ? 'password' : 'text'}
                      inputMode={k === 'partitions' ? 'numeric' : undefined}
                      value={form[k] ?? ''}
                      placeholder={placeholder}
                      autoComplete="off"
                      aria-invalid={fieldError(k) ? true : undefined}
                      aria-describedby={fieldError(k) ? `${k}-error` : undefined}
                      onChange={(e) => {
                        setForm({ ...form, [k]: e.target.value });
                        setSaved(false);
                      }}
                    />
                    <ErrorNote error={fieldError(k)} id={`${k}-error`} />
                  </div>
                ))}
              </div>
              <div className="toolbar">
                <button
                  type="button"
                  onClick={() =>
                    void test(
                      service,
                      fields.map(([k]) => k),
                    )
                  }
                  disabled={result === 'testing'}
                >
                  Test connection
                </button>
                {result === 'testing' && (
                  <span className="muted" role="status">
                    testing…
                  </span>
                )}
                {result && result !== 'testing' && (
                  <span className={result.ok ? 'ok-text' : 'error-text'} role="status">
                    {result.ok
                      ? `${result.target} answered in ${formatDuration(result.ms)}`
                      : `${result.target ? `${result.target}: ` : ''}${result.error?.message}`}
                  </span>
                )}
              </div>
            </fieldset>
          );
        })}
        <div className="toolbar">
          <button type="submit">Save settings</button>
          <button type="button" onClick={() => void act(api.call('services.status', { recheck: true }), 'settings')}>
            Check services again
          </button>
          {saved && <span role="status">Saved{view?.restartRequired ? ': restart the app to apply them' : ''}.</span>}
        </div>
        {formError && !formError.field && <ErrorNote error={formError} />}
        {formError?.field && (
          <p className="error-text" role="status">
            Not saved: fix the field marked above.
          </p>
        )}
      </form>
      {view && (
        <section aria-label="In force">
          <h3>In force now</h3>
          <table className="grid">
            <tbody>
              {Object.entries(view.inForce).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            Saved in {view.file}. Passwords and secret keys stay in the engine: they come back as ***, and sending ***
            keeps the saved one.
          </p>
        </section>
      )}
    </div>
  );
}
