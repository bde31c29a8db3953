import { useState } from 'react';
import { useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { setSqlLab } from '../../store/sqlLabState';
import { ErrorNote } from '../ErrorNote';

/** Queries saved under a name (kept by the Host): save the editor's SQL, open one, delete one. */
export function SavedQueries({ sql, open }: { sql: string; open: (sql: string) => void }) {
  const { api, ui } = useCtx();
  const saved = useUi((s) => s.sqlLab.saved);
  const save = usePlace('sqlLab.save');
  const list = usePlace('sqlLab.saved');
  const time = useTimeFormat();
  const [name, setName] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const onSave = async () => {
    const replaced = saved?.items.some((s) => s.name === name.trim());
    const r = await save.run(api.call('sqlLab.save', { name, sql }));
    if (!r) return;
    setSqlLab(ui, { saved: r });
    setNote(`${replaced ? 'Replaced' : 'Saved'} "${name.trim()}".`);
  };
  return (
    <section aria-label="Saved queries" className="lab-panel">
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void onSave();
        }}
      >
        <input
          aria-label="Saved query name"
          placeholder="Name"
          value={name}
          maxLength={100}
          onChange={(e) => {
            setName(e.target.value);
            setNote(null);
          }}
          aria-invalid={save.error ? true : undefined}
          aria-describedby={save.error ? 'saved-name-error' : undefined}
        />
        <button type="submit">Save query</button>
      </form>
      <ErrorNote error={save.error} id="saved-name-error" />
      {note && (
        <p className="muted" role="status">
          {note}
        </p>
      )}
      {saved?.problem && <ErrorNote error={{ message: saved.problem }} />}
      <ErrorNote error={list.error} />
      {saved && saved.items.length === 0 && <p className="muted">No saved queries yet.</p>}
      <ul className="lab-list">
        {saved?.items.map((q) => (
          <li key={q.id}>
            <div>
              <strong>{q.name}</strong> <span className="muted">saved {time.dateTime(q.savedAt)}</span>
            </div>
            <code className="sql-preview">{q.sql}</code>
            <div className="toolbar">
              <button onClick={() => open(q.sql)} aria-label={`Open ${q.name}`}>
                Open
              </button>
              <button
                aria-label={`Delete ${q.name}`}
                onClick={() =>
                  void list.run(api.call('sqlLab.delete', { id: q.id })).then((r) => r && setSqlLab(ui, { saved: r }))
                }
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
