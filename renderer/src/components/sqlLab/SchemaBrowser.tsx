import { useState } from 'react';
import { useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { setSqlLab } from '../../store/sqlLabState';
import { ErrorNote } from '../ErrorNote';

/**
 * The tables and columns the editor's reader may read (warehouse.schema): each table opens to its
 * columns and types; a name put into the editor at the cursor with a click or Enter.
 */
export function SchemaBrowser({ insert }: { insert: (text: string) => void }) {
  const { api, ui } = useCtx();
  const schema = useUi((s) => s.sqlLab.schema);
  const place = usePlace('sqlLab.schema');
  const time = useTimeFormat();
  const [open, setOpen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const reload = async () => {
    setBusy(true);
    const s = await place.run(api.call('warehouse.schema', {}));
    setBusy(false);
    if (s) setSqlLab(ui, { schema: s });
  };
  const toggle = (key: string) => setOpen((o) => (o.includes(key) ? o.filter((k) => k !== key) : [...o, key]));
  return (
    <section aria-label="Schema" className="lab-panel">
      <div className="toolbar">
        <button onClick={() => void reload()} disabled={busy}>
          {busy ? 'Reading…' : 'Refresh schema'}
        </button>
        {schema && <span className="muted">read {time.time(schema.at)}</span>}
      </div>
      <ErrorNote error={place.error} />
      {schema && schema.tables.length === 0 && <p className="muted">The reader may read no table.</p>}
      <ul className="schema-list">
        {schema?.tables.map((t) => {
          const key = `${t.schema}.${t.name}`;
          const expanded = open.includes(key);
          return (
            <li key={key}>
              <button
                className="schema-toggle"
                aria-expanded={expanded}
                aria-label={`${t.name} (${t.kind}, ${t.columns.length} columns)`}
                onClick={() => toggle(key)}
              >
                {expanded ? '▾' : '▸'} {t.name}
              </button>
              <button
                className="link"
                aria-label={`Insert ${t.name}`}
                title="Insert into the editor"
                onClick={() => insert(t.name)}
              >
                +
              </button>
              {t.kind === 'view' && <span className="muted"> view</span>}
              {expanded && (
                <ul aria-label={`Columns of ${t.name}`}>
                  {t.columns.map((c) => (
                    <li key={c.name}>
                      <button className="link" aria-label={`Insert column ${c.name}`} onClick={() => insert(c.name)}>
                        {c.name}
                      </button>{' '}
                      <span className="muted">{c.type}</span>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
