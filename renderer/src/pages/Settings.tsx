import { useEffect, useState } from 'react';
import type { SettingKey, SettingsView } from '../../../engine/contract';
import { useAct, useCtx } from '../context';

const FIELDS: [SettingKey, string, string][] = [
  ['kafka', 'Kafka bootstrap servers', 'embedded (host:port,…)'],
  ['topic', 'Topic', 'sales_transactions'],
  ['partitions', 'Partitions (new topic)', '4'],
  ['group', 'Consumer group', "the lake's own (from its id)"],
  ['s3', 'S3 endpoint', 'embedded (http://host:port)'],
  ['s3Bucket', 'S3 bucket', ''],
  ['s3Region', 'S3 region', 'us-east-1'],
  ['s3AccessKeyId', 'S3 access key id', ''],
  ['s3SecretAccessKey', 'S3 secret access key', ''],
  ['postgres', 'PostgreSQL URL', 'embedded (postgres://user:pass@host:port/db)'],
  ['postgresReaderPassword', 'PostgreSQL reader password (query editor)', 'derived from the PostgreSQL password'],
  ['redis', 'Redis URL', 'embedded (redis://host:port)'],
  ['redisPrefix', 'Redis key prefix', 'retail-pulse:'],
];

/** Connections and modes, saved to settings.json in the data dir; secrets come back masked. */
export function Settings() {
  const { api, app } = useCtx();
  const act = useAct();
  const [view, setView] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const [theme, setTheme] = useState(app.getState().theme);

  const load = (v: SettingsView | undefined) => {
    if (!v) return;
    setView(v);
    setForm(Object.fromEntries(FIELDS.map(([k]) => [k, v.values[k] === undefined ? '' : String(v.values[k])])));
  };
  useEffect(() => void act(api.call('settings.get', {}), 'settings').then(load), []);

  const save = async () => {
    const values = Object.fromEntries(
      FIELDS.map(([k]) => [k, form[k] === '' ? null : k === 'partitions' ? Number(form[k]) : form[k]]),
    );
    const v = await act(api.call('settings.set', { values }), 'settings');
    load(v);
    setSaved(Boolean(v));
  };

  return (
    <div className="page">
      <h2>Settings</h2>
      <fieldset>
        <legend>Appearance</legend>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={theme === 'light'}
            onChange={() => {
              const t = theme === 'light' ? 'dark' : 'light';
              setTheme(t);
              app.setState({ theme: t });
            }}
          />{' '}
          Light theme
        </label>
      </fieldset>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset>
          <legend>Connections (empty = embedded)</legend>
          <div className="form-grid">
            {FIELDS.map(([k, label, placeholder]) => (
              <label key={k}>
                {label}
                <input
                  type={k === 's3SecretAccessKey' || k === 'postgresReaderPassword' ? 'password' : 'text'}
                  value={form[k] ?? ''}
                  placeholder={placeholder}
                  autoComplete="off"
                  onChange={(e) => setForm({ ...form, [k]: e.target.value })}
                />
              </label>
            ))}
          </div>
        </fieldset>
        <div className="toolbar">
          <button type="submit">Save settings</button>
          {saved && <span role="status">Saved{view?.restartRequired ? ': restart the app to apply them' : ''}.</span>}
        </div>
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
