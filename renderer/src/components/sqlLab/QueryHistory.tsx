import { useCtx, usePlace, useTimeFormat, useUi } from '../../context';
import { formatDuration, formatNumber } from '../../format';
import { setSqlLab } from '../../store/sqlLabState';
import { ErrorNote } from '../ErrorNote';

/** The editor's runs as the Host kept them, newest first: open one again, forget one or all. */
export function QueryHistory({ open }: { open: (sql: string) => void }) {
  const { api, ui } = useCtx();
  const history = useUi((s) => s.sqlLab.history);
  const place = usePlace('sqlLab.history');
  const time = useTimeFormat();
  const forget = (id?: string) =>
    void place.run(api.call('sqlLab.forget', id ? { id } : {})).then((r) => r && setSqlLab(ui, { history: r }));
  return (
    <section aria-label="Query history" className="lab-panel">
      <div className="toolbar">
        <button onClick={() => forget()} disabled={!history?.items.length}>
          Clear history
        </button>
        <span className="muted">times in {time.label}</span>
      </div>
      {history?.problem && <ErrorNote error={{ message: history.problem }} />}
      <ErrorNote error={place.error} />
      {history && history.items.length === 0 && (
        <p className="muted">No runs yet: Ctrl+Enter runs the editor's query.</p>
      )}
      <ol className="lab-list" aria-label="Runs, newest first">
        {history?.items.map((e) => (
          <li key={e.id}>
            <div>
              <span>{time.dateTime(e.at)}</span>{' '}
              <span className={e.outcome === 'failed' ? 'error-text' : 'muted'}>
                {e.outcome === 'ok'
                  ? `${formatNumber(e.rows ?? 0)}${e.more ? '+' : ''} rows, ${formatDuration(e.ms)}`
                  : e.outcome === 'cancelled'
                    ? `cancelled after ${formatDuration(e.ms)}`
                    : `failed: ${e.error ?? ''}`}
              </span>
            </div>
            <code className="sql-preview">{e.sql}</code>
            <div className="toolbar">
              <button onClick={() => open(e.sql)} aria-label={`Open the query run at ${time.dateTime(e.at)}`}>
                Open
              </button>
              <button onClick={() => forget(e.id)} aria-label={`Forget the run at ${time.dateTime(e.at)}`}>
                Forget
              </button>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
